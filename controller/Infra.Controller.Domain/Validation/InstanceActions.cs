using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses the instance actions. Whether an action fits the instance's current state is the
/// lifecycle's question (<see cref="Lifecycle.InstanceLifecycle"/>), not the edge's.
/// Stop timeout: 0 means 60 s; at most 3600 s, because a shutdown that has not finished in an hour
/// is hung and holding the instance in STOPPING longer only hides it.
/// </summary>
public static class InstanceActionValidation
{
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(60);
    public const uint MaxStopTimeoutSeconds = 3600;

    public static ValidationResult<StartInstance> Start(InstanceActionRequest r) => IdOnly(r.Id, id => new StartInstance(id));
    public static ValidationResult<PauseInstance> Pause(InstanceActionRequest r) => IdOnly(r.Id, id => new PauseInstance(id));
    public static ValidationResult<ResumeInstance> Resume(InstanceActionRequest r) => IdOnly(r.Id, id => new ResumeInstance(id));

    public static ValidationResult<StopInstance> Validate(StopInstanceRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        if (r.TimeoutSeconds > MaxStopTimeoutSeconds)
            v.Add("timeout_seconds", $"must be at most {MaxStopTimeoutSeconds} seconds (0 means {DefaultStopTimeout.TotalSeconds}); use force to power off at once");
        else if (r.Force && r.TimeoutSeconds != 0)
            v.Add("timeout_seconds", "a forced stop powers off at once; leave timeout_seconds 0 or drop force");
        var timeout = r.TimeoutSeconds == 0 ? DefaultStopTimeout : TimeSpan.FromSeconds(r.TimeoutSeconds);
        return v.Finish(() => new StopInstance(id!, r.Force, r.Force ? TimeSpan.Zero : timeout));
    }

    public static ValidationResult<RebootInstance> Validate(RebootInstanceRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        return v.Finish(() => new RebootInstance(id!, r.Force));
    }

    public static ValidationResult<ResizeInstance> Validate(ResizeInstanceRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        if (r.CpuMhz == 0 && r.Vcpus == 0 && r.MemoryMib == 0)
            v.Add("cpu_mhz", "nothing to change: set cpu_mhz, vcpus and/or memory_mib (0 leaves a field unchanged)");
        var before = v.Count;
        int? mhz = r.CpuMhz == 0 ? null : SizingValidation.CpuMhz(v, "cpu_mhz", r.CpuMhz);
        int? vcpus = r.Vcpus == 0 ? null : SizingValidation.Vcpus(v, "vcpus", r.Vcpus);
        long? memory = r.MemoryMib == 0 ? null : SizingValidation.MemoryMib(v, "memory_mib", r.MemoryMib);
        if (mhz is { } m && vcpus is { } c && v.Count == before) SizingValidation.Plausible(v, "cpu_mhz", c, m);
        return v.Finish(() => new ResizeInstance(id!, mhz, vcpus, memory));
    }

    public static ValidationResult<AttachVolume> Validate(AttachVolumeRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        var volume = v.Id("volume_id", r.VolumeId, IdKind.Volume);
        return v.Finish(() => new AttachVolume(id!, volume!));
    }

    public static ValidationResult<DetachVolume> Validate(DetachVolumeRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        var volume = v.Id("volume_id", r.VolumeId, IdKind.Volume);
        return v.Finish(() => new DetachVolume(id!, volume!));
    }

    public static ValidationResult<SnapshotInstance> Validate(SnapshotInstanceRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        // The prefix gets "-<volume name>" appended, so it leaves room within the 63-character name limit.
        var name = v.Name("name", r.Name);
        if (name.Length > 31) v.Add("name", $"is {name.Length} characters long; a snapshot name prefix may have at most 31 (a per-volume suffix is added)");
        var requestId = v.RequestId("request_id", r.RequestId);
        return v.Finish(() => new SnapshotInstance(id!, name, r.RequireQuiesce, requestId));
    }

    public static ValidationResult<DeleteInstance> Validate(DeleteInstanceRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        return v.Finish(() => new DeleteInstance(id!, r.DeleteBootVolume));
    }

    static ValidationResult<T> IdOnly<T>(string raw, Func<string, T> build) where T : class
    {
        var v = new Violations();
        var id = v.Id("id", raw, IdKind.Instance);
        return v.Finish(() => build(id!));
    }
}
