namespace Infra.Agent.Compute.Model;

/// <summary>
/// The on-disk layout of one VM under the agent's state directory
/// (default /var/lib/infra/agent/vms/&lt;id&gt;/). Everything a restarted agent needs to adopt or
/// diagnose a VM lives here: the spec it was started with, qemu's pidfile, the QMP and guest-agent
/// sockets, the serial console socket and log, qemu's own stderr and the exit status its supervisor wrote.
/// </summary>
public sealed record VmPaths(string Directory)
{
    /// <summary>Paths for VM <paramref name="id"/> under <paramref name="stateRoot"/>.</summary>
    public static VmPaths For(string stateRoot, string id) => new(Path.Combine(stateRoot, id));

    /// <summary>The definition and desired power state the VM was last started with (JSON).</summary>
    public string SpecFile => Path.Combine(Directory, "spec.json");
    /// <summary>qemu writes its PID here (-pidfile).</summary>
    public string PidFile => Path.Combine(Directory, "qemu.pid");
    /// <summary>QMP control socket.</summary>
    public string QmpSocket => Path.Combine(Directory, "qmp.sock");
    /// <summary>Guest agent virtio-serial socket.</summary>
    public string GuestAgentSocket => Path.Combine(Directory, "qga.sock");
    /// <summary>The guest's serial console output, written by the agent (capped: see Console/SerialLog; the previous file is serial.log.1).</summary>
    public string SerialLog => Path.Combine(Directory, "serial.log");
    /// <summary>qemu's end of the guest's serial port (ttyS0), a socket the agent reads and writes.</summary>
    public string ConsoleSocket => Path.Combine(Directory, "con.sock");
    /// <summary>qemu's stdout and stderr.</summary>
    public string StdioLog => Path.Combine(Directory, "qemu.log");
    /// <summary>The NoCloud config drive (ISO 9660, label cidata), rewritten when the instance's config changes.</summary>
    public string ConfigDrive => Path.Combine(Directory, "cidata.iso");
    /// <summary>The exit status written by the supervising shell when qemu exits.</summary>
    public string ExitStatusFile => Path.Combine(Directory, "exit-status");
}
