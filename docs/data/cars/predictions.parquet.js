// The cars pipeline's predictions as stored (Parquet), for SQL in the page (docs/cars/errors.md).
import {pageLoader} from "mlbook";

await pageLoader((data) => data.parquet("predictions"), {pipeline: "cars"});
