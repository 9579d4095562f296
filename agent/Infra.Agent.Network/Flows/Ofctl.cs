using System.Diagnostics;

namespace Infra.Agent.Network.Flows;

/// <summary>
/// Runs ovs-ofctl against one bridge's OpenFlow endpoint (e.g. unix:/run/openvswitch/br-int.mgmt).
/// OpenFlow 1.4 is required for bundles (atomic multi-flow transactions).
/// </summary>
public sealed class Ofctl(string target, TimeSpan timeout)
{
    public string Target { get; } = target;

    public async Task<string> RunAsync(CancellationToken ct, params string[] args)
    {
        var psi = new ProcessStartInfo("ovs-ofctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-O"); psi.ArgumentList.Add("OpenFlow14");
        foreach (var a in args) psi.ArgumentList.Add(a == "{target}" ? Target : a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ovs-ofctl; install openvswitch-common.");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await p.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw new TimeoutException($"ovs-ofctl {string.Join(' ', args)} on {Target} did not finish within {timeout}.");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"ovs-ofctl {string.Join(' ', args)} on {Target} failed ({p.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
        return await stdout.ConfigureAwait(false);
    }
}
