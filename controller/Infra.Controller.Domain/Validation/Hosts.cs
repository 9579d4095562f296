using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;
using HostState = Infra.Controller.Domain.Model.HostState;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses the Hosts service's requests. Overcommit limits: CPU 1.0-16.0 (idle guests make high CPU
/// ratios common, beyond 16 steal time hurts every guest); memory 1.0-4.0 (beyond that only heavy
/// ballooning/KSM could deliver it, and an OOM kills whole guests); reserve 256 MiB-1 TiB for the
/// host's own qemu overhead, OVS and agent. Zeros in a given Overcommit mean the defaults
/// (1.0, 1.0, 1024 MiB), since proto3 cannot tell "unset" from 0.
/// </summary>
public static class HostValidation
{
    public const double MaxCpuRatio = 16.0;
    public const double MaxMemoryRatio = 4.0;
    public const long DefaultReserveMib = 1024;
    public const long MinReserveMib = 256;
    public const long MaxReserveMib = 1024L * 1024;

    public static OvercommitSpec Defaults { get; } = new(1.0, 1.0, DefaultReserveMib);

    public static ValidationResult<ListHosts> Validate(ListHostsRequest r)
    {
        var v = new Violations();
        var page = v.Page("page", r.Page);
        HostState? state = v.Defined("state", r.State) && r.State != Infra.V1.HostState.Unspecified
            ? WireMapping.FromWire(r.State) : null;
        return v.Finish(() => new ListHosts(page, state));
    }

    public static ValidationResult<GetHost> Validate(GetHostRequest r) => IdOnly(r.Id, id => new GetHost(id));
    public static ValidationResult<UncordonHost> Validate(UncordonHostRequest r) => IdOnly(r.Id, id => new UncordonHost(id));

    public static ValidationResult<CordonHost> Validate(CordonHostRequest r)
    {
        var v = new Violations();
        var id = v.HostId("id", r.Id);
        var reason = v.Text("reason", r.Reason, 255);
        return v.Finish(() => new CordonHost(id!, reason));
    }

    public static ValidationResult<DrainHost> Validate(DrainHostRequest r)
    {
        var v = new Violations();
        var id = v.HostId("id", r.Id);
        return v.Finish(() => new DrainHost(id!, r.DryRun));
    }

    public static ValidationResult<UpdateHost> Validate(UpdateHostRequest r)
    {
        var v = new Violations();
        var id = v.HostId("id", r.Id);
        var overcommit = r.Overcommit is null ? null : Overcommit(v, "overcommit", r.Overcommit);
        var labels = v.Labels("labels", r.Labels);
        if (!r.SetLabels && r.Labels.Count > 0)
            v.Add("set_labels", "labels were given but set_labels is false; set it to true to replace the labels");
        if (r.Overcommit is null && !r.SetLabels)
            v.Add("overcommit", "nothing to change: give overcommit, or set_labels with the new labels");
        return v.Finish(() => new UpdateHost(id!, overcommit, r.SetLabels ? labels : null));
    }

    public static OvercommitSpec Overcommit(Violations v, string field, Overcommit o)
    {
        var cpu = Ratio(v, Violations.Path(field, "cpu_ratio"), o.CpuRatio, MaxCpuRatio);
        var memory = Ratio(v, Violations.Path(field, "memory_ratio"), o.MemoryRatio, MaxMemoryRatio);
        var reserve = o.MemoryReserveMib == 0 ? DefaultReserveMib : (long)Math.Min(o.MemoryReserveMib, (ulong)long.MaxValue);
        if (reserve < MinReserveMib || reserve > MaxReserveMib)
            v.Add(Violations.Path(field, "memory_reserve_mib"), $"must be {MinReserveMib}-{MaxReserveMib} MiB (0 means {DefaultReserveMib}); got {o.MemoryReserveMib}");
        return new OvercommitSpec(cpu, memory, reserve);
    }

    static double Ratio(Violations v, string field, double value, double max)
    {
        if (value == 0) return 1.0;
        if (!double.IsFinite(value) || value < 1.0 || value > max)
            v.Add(field, $"must be 1.0-{max:0.0} (0 means 1.0, no overcommit); got {value}");
        return value;
    }

    static ValidationResult<T> IdOnly<T>(string raw, Func<string, T> build) where T : class
    {
        var v = new Violations();
        var id = v.HostId("id", raw);
        return v.Finish(() => build(id!));
    }
}
