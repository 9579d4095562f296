namespace Infra.Controller;

/// <summary>What --help prints.</summary>
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
