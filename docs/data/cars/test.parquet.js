// The cars pipeline's test_data as stored (Parquet), for SQL in the page (docs/cars/errors.md).
import {pageLoader} from "mlbook";

await pageLoader((data) => data.parquet("test_data"), {pipeline: "cars"});
