using Infra.Store.Etcd;

namespace Infra.Controller.Config;

/// <summary>
/// The etcd section as the store client takes it (<see cref="EtcdSecurity"/>): the password comes from
/// password_file (first line; the file, not the YAML, holds the secret). Validation is the client's own,
/// with the config's field names, plus what only the config can say (a section without an etcd store,
/// an unreadable password file).
/// </summary>
public static class EtcdConfig
{
    static readonly Dictionary<string, string> Fields = new()
    {
        [nameof(EtcdSecurity.CaFile)] = "etcd.ca_file",
        [nameof(EtcdSecurity.CertFile)] = "etcd.cert_file",
        [nameof(EtcdSecurity.KeyFile)] = "etcd.key_file",
        [nameof(EtcdSecurity.Username)] = "etcd.username",
        [nameof(EtcdSecurity.Password)] = "etcd.password_file",
    };

    public static IReadOnlyList<string> Validate(EtcdClientConfig etcd, string store)
    {
        if (etcd.IsEmpty) return [];
        if (!StoreSpec.TryParse(store, out var spec, out _)) return [];
        if (spec is not StoreSpec.Etcd e) return [$"etcd: is set but the store is {store}; remove the section or use store: etcd:https://..."];
        var (security, errors) = Security(etcd);
        if (errors.Count > 0) return errors;
        return security!.Validate([.. e.Endpoints.Select(u => u.GetLeftPart(UriPartial.Authority))], n => Fields[n]);
    }

    /// <summary>The client's options (null when the section is empty), or why the password file cannot be read.</summary>
    public static (EtcdSecurity? Security, List<string> Errors) Security(EtcdClientConfig etcd)
    {
        var errors = new List<string>();
        if (etcd.IsEmpty) return (null, errors);
        string? password = null;
        if (etcd.PasswordFile is { } path)
        {
            try
            {
                password = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
                if (password.Length == 0) errors.Add($"etcd.password_file: {path} is empty; put the etcd user's password on its first line");
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException)
            {
                errors.Add($"etcd.password_file: cannot read {path}: {x.Message}");
            }
        }
        return (new EtcdSecurity(etcd.CaFile, etcd.CertFile, etcd.KeyFile, etcd.Username, password), errors);
    }
}
