/** A request the server refuses: its HTTP status and a message naming what is wrong. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415,
    message: string
  ) {
    super(message);
    this.name = "RequestError";
  }
}
