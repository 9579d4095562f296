using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

public static partial class InstanceCommands
{
    static Command Create(CommandKit kit)
    {
        var tenant = Opt.Tenant(true); var name = Opt.Name(true, "instance"); var labels = Opt.Labels();
        var vcpus = new Option<uint>("--vcpus") { Description = "vCPU threads (1-256)", Required = true };
        var mhz = new Option<uint>("--cpu-mhz") { Description = "Total CPU in MHz across all vCPUs (at least 100)", Required = true };
        var memory = new Option<string>("--memory") { Description = "Memory, e.g. 2048 (MiB), 512M or 4G", Required = true };
        var image = new Option<string>("--image") { Description = "Boot from a new copy-on-write clone of this image" };
        var bootVolume = new Option<string>("--boot-volume") { Description = "Boot from this existing volume" };
        var bootSize = new Option<ulong>("--boot-size") { Description = "Size of a new boot volume in GiB (default: the image's)" };
        var keepBoot = new Option<bool>("--keep-boot-volume") { Description = "Keep the boot volume when the instance is deleted" };
        var networks = new Option<string[]>("--network") { Description = "NIC on a network: NETWORK_ID[,ip=ADDRESS][,policy=ID] (repeatable, in NIC order)" };
        var ports = new Option<string[]>("--port") { Description = "NIC from an existing port id (repeatable, after the --network NICs)" };
        var policies = new Option<string[]>("--policy") { Description = "Policy for every new NIC without its own policy= (repeatable)" };
        var volumes = new Option<string[]>("--volume") { Description = "Further existing volume to attach (repeatable)" };
        var affinity = new Option<string>("--affinity-group") { Description = "Place on the same host as this group" };
        var anti = new Option<string>("--anti-affinity-group") { Description = "Place on a different host than this group's others" };
        var noStart = new Option<bool>("--no-start") { Description = "Place it but do not start it" };
        var userData = new Option<string>("--user-data") { Description = "File with the config drive's user-data (a #! script or #cloud-config; at most 64 KiB)" };
        var sshKeys = new Option<string[]>("--ssh-key") { Description = "Key pair id whose public key goes on the config drive (repeatable)" };
        var hostname = new Option<string>("--hostname") { Description = "The guest's hostname (default: the instance name)" };
        var cmd = new Command("create", "Create an instance (placed, then started unless --no-start)")
            { tenant, name, vcpus, mhz, memory, image, bootVolume, bootSize, keepBoot, networks, ports, policies, volumes, affinity, anti, noStart, userData, sshKeys, hostname, labels };

        return kit.Unary(cmd, (c, r, o) => c.Instances.CreateInstanceAsync(r, o), (p, rc) =>
        {
            var img = p.GetValue(image); var vol = p.GetValue(bootVolume);
            if ((img is null) == (vol is null)) throw new UsageException("give exactly one of --image or --boot-volume");
            var r = new CreateInstanceRequest
            {
                RequestId = rc.RequestId, TenantId = p.GetValue(tenant)!, Name = p.GetValue(name)!, Vcpus = p.GetValue(vcpus), CpuMhz = p.GetValue(mhz),
                MemoryMib = Sizes.ParseMiB(p.GetValue(memory)!, "--memory"),
                Boot = new BootSource { SizeGib = p.GetValue(bootSize), DeleteOnTermination = !p.GetValue(keepBoot) },
                VolumeIds = { p.GetValue(volumes) ?? [] }, AffinityGroup = p.GetValue(affinity) ?? "", AntiAffinityGroup = p.GetValue(anti) ?? "",
                Labels = { Specs.Labels(p.GetValue(labels)) },
            };
            if (img is not null) r.Boot.ImageId = img; else r.Boot.VolumeId = vol!;
            var defaultPolicies = p.GetValue(policies) ?? [];
            foreach (var nic in (p.GetValue(networks) ?? []).Select(Specs.Nic))
            {
                if (nic.PolicyIds.Count == 0) nic.PolicyIds.AddRange(defaultPolicies);
                r.Ports.Add(nic);
            }
            foreach (var port in p.GetValue(ports) ?? []) r.Ports.Add(new PortSpec { PortId = port });
            if (p.GetValue(noStart)) r.Start = false;
            if (p.GetValue(userData) is { } file)
            {
                // The server enforces the limit; the file is read whole either way (a bounded read
                // would only hide how large it is).
                try { r.UserData = Google.Protobuf.ByteString.CopyFrom(File.ReadAllBytes(file)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"--user-data: cannot read {file}: {e.Message}"); }
            }
            r.SshKeyIds.AddRange(p.GetValue(sshKeys) ?? []);
            r.Hostname = p.GetValue(hostname) ?? "";
            return r;
        }, (r, w) => Render.Instances([r], w));
    }
}
