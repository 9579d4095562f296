using System.Text.Json;

namespace Infra.Controller.EndToEnd.Tests.Support;

/// <summary>One infractl invocation through <see cref="Infra.Ctl.CtlRunner"/>, in-process, against a daemon URL.</summary>
public sealed record CtlResult(int Code, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    public override string ToString() => $"exit {Code}\nstdout: {Out}\nstderr: {Err}";
}

public sealed class CtlSession(string url, string token)
{
    public async Task<CtlResult> RunAsync(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Infra.Ctl.CtlRunner.RunAsync(["--controller", url, "--token", token, .. args], o, e, cts.Token);
        return new CtlResult(code, o.ToString(), e.ToString());
    }

    /// <summary>Runs with --output json, asserts exit 0 and returns the parsed message.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var r = await RunAsync(["--output", "json", .. args]);
        Assert.True(r.Code == 0, r.ToString());
        return r.Json;
    }

    public static string Id(JsonElement e) => e.GetProperty("meta").GetProperty("id").GetString()!;
}
