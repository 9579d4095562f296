using Microsoft.Extensions.Logging;

namespace Infra.Controller;

static partial class ControllerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "controller ready on {Url} (store {Store}, node {NodeId})")]
    public static partial void Ready(ILogger logger, string url, string store, string nodeId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "controller stopping: draining calls")]
    public static partial void Stopping(ILogger logger);
}

static class Usage
{
    public const string Text = """
        usage: infra-controller [--config /etc/infra/controller.yaml] [--listen 127.0.0.1:7443]
                                [--store sqlite:/var/lib/infra/state.db | etcd:http://127.0.0.1:2379,...]
                                [--node-id NAME] [--ready-file PATH] [--token-file PATH] [--insecure-allow-no-auth]
                                [--advertise-url http://HOST:PORT]   (how other replicas reach this one; default: the listener)
        Flags override the YAML config. Exit code 2: bad configuration (every error is listed).
        """;
}
