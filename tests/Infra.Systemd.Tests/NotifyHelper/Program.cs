using Infra.Systemd.Notify;

// Usage: NotifyHelper <gate-file> <status-when-ready>
// Says STATUS=waiting for <gate-file>, waits until that file exists (the test creates it), then sends
// READY=1 with the final status and serves until SIGTERM, answering it with STOPPING=1.
if (args.Length != 2) { Console.Error.WriteLine("usage: NotifyHelper <gate-file> <status-when-ready>"); return 2; }
using var notify = SdNotify.FromEnvironment();
if (!notify.IsEnabled) { Console.Error.WriteLine("NOTIFY_SOCKET is not set; run me as a Type=notify unit"); return 3; }

notify.Status($"waiting for {args[0]}");
for (int i = 0; i < 6000 && !File.Exists(args[0]); i++) Thread.Sleep(50); // bounded: 5 minutes
if (!File.Exists(args[0])) return 4;
notify.Ready(args[1]);

using var stop = new ManualResetEventSlim();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    notify.Stopping();
    stop.Set();
});
var watchdog = WatchdogSettings.FromEnvironment();
while (!stop.Wait(watchdog?.PingEvery ?? TimeSpan.FromSeconds(30)))
    if (watchdog is not null) notify.Watchdog();
return 0;
