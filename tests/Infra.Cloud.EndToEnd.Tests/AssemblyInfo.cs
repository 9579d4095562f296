// Each class boots its own cloud with TCG guests on two shared cores: one class at a time keeps
// guest boots inside their bounded waits (in parallel they stretched past them).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
