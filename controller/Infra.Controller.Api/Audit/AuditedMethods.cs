namespace Infra.Controller.Api.Audit;

/// <summary>How the audit trail treats a method.</summary>
public enum AuditClass
{
    /// <summary>Not a northbound API call (health, reflection, the agents' session, the replica relay, the audit trail itself).</summary>
    NotApi,
    /// <summary>Only reads: Get, List, Watch, Export. Never recorded.</summary>
    Read,
    /// <summary>Changes something: recorded.</summary>
    Mutating,
    /// <summary>A verb nobody classified yet: recorded (an unknown call is assumed to change something);
    /// a test fails for every such RPC of the contract so that someone decides.</summary>
    Unclassified,
}

/// <summary>
/// Which calls are audited, decided from the method's verb (the leading word of its name, "Create" in
/// CreateInstance) against two explicit lists, so a new RPC with a known verb is covered without an edit
/// here and one with a new verb is recorded until classified (AuditedMethodsTests enumerates the contract).
/// </summary>
public static class AuditedMethods
{
    const string ApiPackage = "/infra.v1.";

    /// <summary>Services of the package that are not the northbound API: agents' sessions (host principals,
    /// audited as their effects), the relay between replicas (the replica that took the call audits it)
    /// and the audit trail's own reads.</summary>
    static readonly HashSet<string> NotApiServices = new(StringComparer.Ordinal) { "AgentSession", "CommandRelay", "Audit" };

    static readonly HashSet<string> ReadVerbs = new(StringComparer.Ordinal) { "Get", "List", "Watch", "Export", "Check" };

    /// <summary>Console is here: a writer's keystrokes change the guest.</summary>
    static readonly HashSet<string> MutatingVerbs = new(StringComparer.Ordinal)
    {
        "Create", "Update", "Delete", "Set", "Add", "Remove", "Import", "Attach", "Detach", "Start", "Stop", "Reboot",
        "Pause", "Resume", "Resize", "Snapshot", "Cordon", "Uncordon", "Drain", "Revoke", "Rotate", "Renew", "Enroll",
        "Join", "Sign", "Issue", "Console",
    };

    /// <param name="method">"/infra.v1.Tenants/CreateTenant", as ServerCallContext.Method gives it.</param>
    public static AuditClass Classify(string method)
    {
        if (!method.StartsWith(ApiPackage, StringComparison.Ordinal)) return AuditClass.NotApi;
        var slash = method.IndexOf('/', ApiPackage.Length);
        if (slash < 0) return AuditClass.NotApi;
        if (NotApiServices.Contains(method[ApiPackage.Length..slash])) return AuditClass.NotApi;
        var verb = Verb(method[(slash + 1)..]);
        return ReadVerbs.Contains(verb) ? AuditClass.Read : MutatingVerbs.Contains(verb) ? AuditClass.Mutating : AuditClass.Unclassified;
    }

    public static bool IsAudited(string method) => Classify(method) is AuditClass.Mutating or AuditClass.Unclassified;

    /// <summary>"CreateInstance" -> "Create", "Console" -> "Console".</summary>
    public static string Verb(string name)
    {
        var end = 1;
        while (end < name.Length && !char.IsUpper(name[end])) end++;
        return name.Length == 0 ? "" : name[..end];
    }
}
