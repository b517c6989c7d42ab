#!/usr/bin/env node
import { SOURCE_PROGRAM } from "./commands.ts";
import { dispatch } from "./dispatch.ts";

process.exitCode = await dispatch(SOURCE_PROGRAM, process.argv.slice(2));
