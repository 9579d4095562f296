namespace Infra.Controller.Domain.Model;

// Domain enums: the wire enums' UNSPECIFIED values never reach the domain; the edge either
// rejects them or maps them to an explicit choice (null meaning "server decides").

public enum Direction { Ingress, Egress }

public enum Protocol { Any, Tcp, Udp, Icmp, IcmpV6 }

public enum DiskFormat { Raw, Qcow2 }

public enum HostState { Up, Suspect, Down, Maintenance }

public enum ResourceKind { Tenant, Network, Policy, Port, Instance, Volume, Snapshot, Image, Host }

/// <summary>Lifecycle state of an instance; mirrors infra.v1.InstanceState without UNSPECIFIED.</summary>
public enum InstanceState { Pending, Scheduled, Starting, Running, Stopping, Stopped, Paused, Error, Deleting }

/// <summary>The power state an operator asked for.</summary>
public enum PowerState { Running, Stopped, Paused }
