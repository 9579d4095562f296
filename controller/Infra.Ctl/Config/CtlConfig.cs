using Infra.Ctl.Errors;

namespace Infra.Ctl.Config;

/// <summary>Where a setting came from, so error messages can say which knob to turn.</summary>
public enum ConfigSource { Default, File, Environment, Flag }

/// <summary>The connection settings of one infractl run, resolved once.</summary>
public sealed record CtlConfig(string Controller, ConfigSource ControllerSource, string? Token, ConfigSource TokenSource, string? CaFile, string? ConfigFile);

/// <summary>The raw inputs of resolution: flags (null = not given), the process environment and $HOME.</summary>
public sealed record ConfigInputs(string? ControllerFlag, string? TokenFlag, string? CaFileFlag, IReadOnlyDictionary<string, string> Environment, string? Home);

/// <summary>
/// Resolution order (CONTROLLER-CLI.md): flags, then env INFRA_CONTROLLER / INFRA_TOKEN / INFRA_CA_FILE, then
/// ~/.config/infra/infractl.yaml (controller:, token:, ca_file:), then http://127.0.0.1:7443. Each setting
/// resolves on its own, so a token from the file combines with a controller from a flag.
/// </summary>
public static class ConfigResolver
{
    public const string DefaultController = "http://127.0.0.1:7443";
    public const string RelativePath = ".config/infra/infractl.yaml";

    public static CtlConfig Resolve(ConfigInputs inputs)
    {
        var filePath = inputs.Home is { Length: > 0 } home ? Path.Combine(home, RelativePath) : null;
        var file = filePath is not null && File.Exists(filePath) ? ConfigFile.Parse(File.ReadAllText(filePath), filePath) : null;

        var (controller, cSource) = Pick(inputs.ControllerFlag, Env(inputs, "INFRA_CONTROLLER"), file?.Controller);
        var (token, tSource) = Pick(inputs.TokenFlag, Env(inputs, "INFRA_TOKEN"), file?.Token);
        var (caFile, _) = Pick(inputs.CaFileFlag, Env(inputs, "INFRA_CA_FILE"), file?.CaFile);
        if (caFile is not null && file?.CaFile == caFile && filePath is not null && !Path.IsPathRooted(caFile))
            caFile = Path.Combine(Path.GetDirectoryName(filePath)!, caFile); // relative to the config file, not the cwd
        return new CtlConfig(NormalizeUrl(controller ?? DefaultController, caFile is not null), controller is null ? ConfigSource.Default : cSource,
            token, token is null ? ConfigSource.Default : tSource, caFile, file is null ? null : filePath);
    }

    /// <summary>"host:port" becomes "http://host:port" (https when a CA file is given); anything else must be http(s).</summary>
    public static string NormalizeUrl(string url, bool tls)
    {
        var u = url.Trim();
        if (!u.Contains("://", StringComparison.Ordinal)) u = (tls ? "https://" : "http://") + u;
        if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new UsageException($"controller address '{url}' is not a URL like http://127.0.0.1:7443 or https://controller.example:7443");
        return u.TrimEnd('/');
    }

    static string? Env(ConfigInputs i, string name) => i.Environment.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    static (string?, ConfigSource) Pick(string? flag, string? env, string? file) =>
        flag is { Length: > 0 } ? (flag, ConfigSource.Flag)
        : env is not null ? (env, ConfigSource.Environment)
        : file is { Length: > 0 } ? (file, ConfigSource.File)
        : (null, ConfigSource.Default);
}

/// <summary>
/// The config file: flat "key: value" YAML (comments, quotes, blank lines allowed). Unknown keys are errors,
/// all reported at once, because a typo such as "contoller:" would otherwise silently use the default.
/// </summary>
public sealed record ConfigFile(string? Controller, string? Token, string? CaFile)
{
    public static ConfigFile Parse(string text, string path)
    {
        string? controller = null, token = null, caFile = null;
        var errors = new List<string>();
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = StripComment(lines[n]).Trim();
            if (line.Length == 0 || line == "---") continue;
            var colon = line.IndexOf(':');
            if (colon <= 0) { errors.Add($"{path}:{n + 1}: expected 'key: value'"); continue; }
            var key = line[..colon].Trim();
            var value = Unquote(line[(colon + 1)..].Trim());
            switch (key)
            {
                case "controller": controller = value; break;
                case "token": token = value; break;
                case "ca_file": caFile = value; break;
                default: errors.Add($"{path}:{n + 1}: unknown key '{key}' (known: controller, token, ca_file)"); break;
            }
        }
        if (errors.Count > 0) throw new UsageException(string.Join(Environment.NewLine + "error: ", errors));
        return new ConfigFile(Empty(controller), Empty(token), Empty(caFile));
    }

    static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    static string StripComment(string line)
    {
        var inQuote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuote != '\0') { if (c == inQuote) inQuote = '\0'; }
            else if (c is '"' or '\'') inQuote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    static string Unquote(string v) =>
        v.Length >= 2 && (v[0] == '"' && v[^1] == '"' || v[0] == '\'' && v[^1] == '\'') ? v[1..^1] : v;
}
