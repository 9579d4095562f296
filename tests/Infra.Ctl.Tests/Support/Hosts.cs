using Infra.Ctl;

namespace Infra.Ctl.Tests.Support;

/// <summary>CtlHost for tests: captured writers, an empty environment, no HOME unless given, a fixed request id.</summary>
public static class TestHosts
{
    public static CtlHost Create(StringWriter? output = null, StringWriter? error = null, string? home = null, Dictionary<string, string>? env = null) =>
        new(output ?? new StringWriter(), error ?? new StringWriter())
        {
            Environment = env ?? new Dictionary<string, string>(),
            Home = home,
            NewRequestId = () => "req-1",
            ReconnectDelay = TimeSpan.FromMilliseconds(20),
        };

    public static string[] Args(string commandLine) => commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A temp directory removed on Dispose, used as $HOME.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("infractl-test-").FullName;

    public string Write(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
