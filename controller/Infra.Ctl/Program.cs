// Thin entry point: everything lives in CtlRunner so tests and the lead's end-to-end session can drive it in-process.
return await Infra.Ctl.CtlRunner.RunAsync(args, Console.Out, Console.Error);
