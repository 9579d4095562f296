using System.CommandLine;

namespace Infra.Ctl.Cli;

public enum OutputFormat { Table, Json }

/// <summary>Options every command accepts (Recursive: they may appear before or after the noun and verb).</summary>
public sealed class GlobalOptions
{
    public readonly Option<string?> Controller = new("--controller") { Description = "Controller URL (env INFRA_CONTROLLER, config 'controller:', default http://127.0.0.1:7443)", Recursive = true };
    public readonly Option<string?> Token = new("--token") { Description = "Bearer token (env INFRA_TOKEN, config 'token:')", Recursive = true };
    public readonly Option<string?> CaFile = new("--ca-file") { Description = "PEM CA that signed the controller's TLS certificate (env INFRA_CA_FILE, config 'ca_file:')", Recursive = true };
    public readonly Option<string> Output = new("--output", "-o") { Description = "Output format", Recursive = true, DefaultValueFactory = _ => "table" };
    public readonly Option<string?> Timeout = new("--timeout") { Description = "Deadline per call, e.g. 30s, 2m (default 30s; none for watch, import and export)", Recursive = true };
    public readonly Option<string?> RequestId = new("--request-id") { Description = "Idempotency key for create calls; default: a new one per run, so re-running a command is NOT idempotent unless you pass one", Recursive = true };

    public GlobalOptions() => Output.AcceptOnlyFromAmong("table", "json");

    public IEnumerable<Option> All => [Controller, Token, CaFile, Output, Timeout, RequestId];
}
