using Infra.Store.Benchmarks;

// Usage:
//   Infra.Store.Benchmarks                         run every benchmark and print a table
//   Infra.Store.Benchmarks etcd [--quick]          store writes/s on SQLite and a local etcd, same run
//   Infra.Store.Benchmarks crash-writer DB PREFIX  child process of the store crash test
if (args is ["crash-writer", var db, var prefix]) return await CrashWriter.RunAsync(db, prefix);
return await BenchmarkRunner.RunAsync(args);
