using Infra.Agent.Compute.ConfigDrive;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// Writes each desired VM's config drive image to &lt;vm dir&gt;/cidata.iso and points its definition
/// at it. The image is deterministic, so an unchanged config leaves the file (and its hash) alone;
/// a changed one is written beside it and renamed over it, which leaves a running qemu reading the
/// old inode until the reconciler swaps the medium (<see cref="VmAction.ChangeConfigDrive"/>).
/// </summary>
public static class ConfigDriveFiles
{
    public static IReadOnlyList<DesiredVm> Materialize(IReadOnlyList<DesiredVm> desired, IReadOnlyDictionary<string, VmSpec> specs, Func<string, VmPaths> paths)
    {
        var result = new List<DesiredVm>(desired.Count);
        foreach (var vm in desired)
        {
            if (!specs.TryGetValue(vm.Definition.Id, out var spec) || spec.ConfigDrive is not { } cd) { result.Add(vm); continue; }
            var image = NoCloudImage.Build(cd.MetaData, cd.NetworkConfig, cd.UserData.Span);
            var path = paths(vm.Definition.Id).ConfigDrive;
            WriteIfChanged(path, image);
            result.Add(vm with { Definition = vm.Definition with { ConfigDrive = new ConfigDriveMedium(path, NoCloudImage.Hash(image)) } });
        }
        return result;
    }

    static void WriteIfChanged(string path, byte[] image)
    {
        if (File.Exists(path) && new FileInfo(path).Length == image.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(image)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, image);
        File.Move(tmp, path, overwrite: true);
    }
}
