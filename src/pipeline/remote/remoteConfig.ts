import {z} from "zod";
import type {ConfigAddOn} from "../engine/catalog.ts";

export const storeConfig = z
  .object({
    /**
     * A shared remote store, `s3://bucket/prefix` (MLBOOK_REMOTE overrides it). Endpoint and
     * credentials come from the AWS environment, never from here.
     */
    remote: z
      .string()
      .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, "expected s3://bucket/prefix")
      .optional()
  })
  .strict();

export type StoreConfig = z.infer<typeof storeConfig>;

/** The remote store's config section (`store:`). */
export const remoteAddOn: ConfigAddOn = {
  name: "remote",
  sections: {store: storeConfig.prefault({})}
};
