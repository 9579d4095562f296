using Infra.Store.Etcd.Tests.Support;
using Infra.Store.Tests.Conformance;

namespace Infra.Store.Etcd.Tests.Conformance;

/// <summary>
/// A fresh etcd per harness (the suite builds one harness per test and asserts exact revision steps).
/// etcd's lessor runs on wall-clock time, so lease time passes by waiting (<see cref="RealTime"/>).
/// </summary>
public sealed class EtcdHarness : IStoreHarness
{
    EtcdProcess? _etcd;
    readonly List<EtcdStore> _stores = [];

    public TimeProvider Time => TimeProvider.System;
    public bool RealTime => true;

    public async Task<IKeyValueStore> OpenAsync()
    {
        _etcd ??= await EtcdProcess.StartNewAsync();
        var s = EtcdStore.Connect(EtcdStoreOptions.For(_etcd.ClientUrl));
        _stores.Add(s);
        return s;
    }

    public Task ElapseAsync(TimeSpan time) => Task.Delay(time);

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _stores) await s.DisposeAsync();
        if (_etcd is not null) await _etcd.DisposeAsync();
    }
}

/// <summary>The backend-independent suite on a real etcd.</summary>
public sealed class EtcdConformance() : StoreConformance(new EtcdHarness());
