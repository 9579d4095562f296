using System.Buffers.Text;
using System.Text;
using Google.Protobuf;
using Infra.Controller.Domain.Model;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Plumbing;

/// <summary>
/// List paging in key (= id) order. The page token is the last id of the previous page, base64url
/// encoded so clients treat it as opaque; a page resumes strictly after it, so objects created or
/// deleted between pages never shift what the next page returns.
/// </summary>
public static class Paging
{
    const int Batch = 256;

    public static string Encode(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    public static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.TrimEnd('=')));
            if (text.Length == 0 || text.Any(char.IsControl)) throw new FormatException();
            return text;
        }
        catch (FormatException)
        {
            throw ApiErrors.Invalid("page.page_token", "is not a token this server issued; pass next_page_token from the previous page unchanged, or empty for the first page");
        }
    }

    /// <summary>One page of the objects of <paramref name="kind"/> that <paramref name="scope"/> sees and <paramref name="filter"/> keeps.</summary>
    public static async Task<(List<T> Items, PageResponse Page)> ListAsync<T>(ObjectStore store, ObjectKind<T> kind, Page page, TenantScope scope,
        Func<T, bool> filter, CancellationToken ct) where T : IMessage<T>
    {
        var after = Decode(page.Token);
        var start = after is null ? Keys.Of(kind.Prefix) : Keys.Of(kind.Prefix + after + "\0");
        var end = Keys.PrefixEnd(kind.Prefix);
        var items = new List<T>();
        var more = false;
        while (true)
        {
            var r = await store.Kv.RangeAsync(new RangeRequest(start, end, Batch), ct).ConfigureAwait(false);
            foreach (var kv in r.Kvs)
            {
                var value = ObjectStore.Decode(kind, kv);
                if (!scope.Sees(kind, value) || !filter(value)) continue;
                if (items.Count == page.Size) { more = true; break; }
                items.Add(value);
            }
            if (more || !r.More || r.Kvs.Count == 0) break;
            start = [.. r.Kvs[^1].Key, 0];
        }
        var response = new PageResponse();
        if (more) response.NextPageToken = Encode(kind.Meta(items[^1]).Id);
        return (items, response);
    }

    public static bool Matches(IDictionary<string, string> labels, Labels selector) =>
        selector.Items.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
