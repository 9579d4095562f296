namespace Infra.Store.Sqlite;

/// <summary>
/// Wakes every waiter after a commit. Take <see cref="Current"/> before reading the database: any
/// commit after that read completes the task already held, so no wake-up is lost.
/// </summary>
internal sealed class RevisionSignal
{
    TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current => Volatile.Read(ref _tcs).Task;

    public void Notify() =>
        Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
