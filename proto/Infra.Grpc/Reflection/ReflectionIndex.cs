using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Infra.Grpc.Reflection;

/// <summary>
/// Answers reflection queries from the FileDescriptors of the mapped services (Google.Protobuf keeps
/// each file's serialized FileDescriptorProto). A file is returned with all files it imports,
/// transitively, so a client can rebuild every type without further requests.
/// </summary>
internal sealed class ReflectionIndex
{
    readonly Dictionary<string, FileDescriptor> _byName = new(StringComparer.Ordinal);
    readonly Dictionary<string, FileDescriptor> _bySymbol = new(StringComparer.Ordinal);

    public ReflectionIndex(IReadOnlyList<ServiceDescriptor> services)
    {
        Services = services.Select(s => s.FullName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        foreach (var s in services) AddFile(s.File);
    }

    public IReadOnlyList<string> Services { get; }

    void AddFile(FileDescriptor file)
    {
        if (!_byName.TryAdd(file.Name, file)) return;
        foreach (var s in file.Services)
        {
            _bySymbol[s.FullName] = file;
            foreach (var m in s.Methods) _bySymbol[m.FullName] = file;
        }
        foreach (var m in file.MessageTypes) AddMessage(m, file);
        foreach (var e in file.EnumTypes) _bySymbol[e.FullName] = file;
        foreach (var d in file.Dependencies) AddFile(d);
    }

    void AddMessage(MessageDescriptor m, FileDescriptor file)
    {
        _bySymbol[m.FullName] = file;
        foreach (var n in m.NestedTypes) AddMessage(n, file);
        foreach (var e in m.EnumTypes) _bySymbol[e.FullName] = file;
    }

    public IReadOnlyList<ByteString>? FileByName(string name) => _byName.TryGetValue(name, out var f) ? WithDependencies(f) : null;

    public IReadOnlyList<ByteString>? FileContainingSymbol(string symbol)
    {
        if (_bySymbol.TryGetValue(symbol, out var f)) return WithDependencies(f);
        return null;
    }

    static List<ByteString> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ByteString>();
        void Visit(FileDescriptor f)
        {
            if (!seen.Add(f.Name)) return;
            result.Add(f.SerializedData);
            foreach (var d in f.Dependencies) Visit(d);
        }
        Visit(file);
        return result;
    }
}
