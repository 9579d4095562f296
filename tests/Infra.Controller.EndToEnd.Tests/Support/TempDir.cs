namespace Infra.Controller.EndToEnd.Tests.Support;

/// <summary>A unique temp dir with a token file; deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public const string Token = "e2e-token-0123456789abcdef";
    public string Path { get; } = Directory.CreateTempSubdirectory("infra-e2e-").FullName;
    public string TokenFile => Combine("tokens");

    public TempDir() => File.WriteAllText(TokenFile, Token + "\n");

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
