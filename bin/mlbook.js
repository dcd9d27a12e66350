#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so that the code a step's key digests is the code that runs.
import {register} from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
