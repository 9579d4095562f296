using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Infra.Grpc.Generator;

/// <summary>
/// Emits typed gRPC service base classes and clients for every .proto service in the compilation.
/// Grpc.Tools (GrpcServices="None") already puts each file's serialized FileDescriptorProto into a
/// generated "FooReflection" class as base64 literals; this generator reads those literals, so it sees
/// exactly what protoc saw (services, streaming flags, fully-qualified message types) without parsing
/// .proto text, and needs no extra MSBuild step.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ServiceGenerator : IIncrementalGenerator
{
    internal sealed record ReflectionClass(string Namespace, string ClassName, string Base64);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var classes = context.SyntaxProvider.CreateSyntaxProvider(
            static (node, _) => node is ClassDeclarationSyntax c && c.Identifier.ValueText.EndsWith("Reflection", StringComparison.Ordinal)
                                && c.Modifiers.Any(SyntaxKind.StaticKeyword),
            static (ctx, ct) => Extract((ClassDeclarationSyntax)ctx.Node, ctx.SemanticModel, ct))
            .Where(static r => r is not null)
            .Collect();

        context.RegisterSourceOutput(classes, static (spc, all) => Emit(spc, all!));
    }

    static ReflectionClass? Extract(ClassDeclarationSyntax c, SemanticModel model, System.Threading.CancellationToken ct)
    {
        foreach (var inv in c.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (inv.Expression is not MemberAccessExpressionSyntax m || m.Name.Identifier.ValueText != "FromBase64String") continue;
            var sb = new StringBuilder();
            foreach (var lit in inv.ArgumentList.DescendantNodes().OfType<LiteralExpressionSyntax>())
                if (lit.IsKind(SyntaxKind.StringLiteralExpression)) sb.Append(lit.Token.ValueText);
            if (sb.Length == 0) return null;
            var symbol = model.GetDeclaredSymbol(c, ct);
            if (symbol is null) return null;
            var ns = symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();
            return new ReflectionClass(ns, symbol.Name, sb.ToString());
        }
        return null;
    }

    static void Emit(SourceProductionContext spc, ImmutableArray<ReflectionClass> all)
    {
        var files = new List<(ReflectionClass Class, FileInfo File)>();
        foreach (var rc in all)
        {
            try { files.Add((rc, DescriptorReader.ReadFile(Convert.FromBase64String(rc.Base64)))); }
            catch (Exception) { /* not a protoc descriptor class; ignore */ }
        }

        // Proto full name -> C# type, for every message generated in this compilation.
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rc, file) in files)
            foreach (var msg in file.MessageNames)
            {
                var protoName = "." + (file.Package.Length > 0 ? file.Package + "." : "") + msg;
                var parts = msg.Split('.');
                var cs = string.Join(".Types.", parts);
                types[protoName] = "global::" + (rc.Namespace.Length > 0 ? rc.Namespace + "." : "") + cs;
            }

        foreach (var (rc, file) in files)
        {
            if (file.Services.Count == 0) continue;
            var source = ServiceEmitter.Emit(rc, file, name => ResolveType(name, types));
            spc.AddSource((rc.Namespace.Length > 0 ? rc.Namespace + "." : "") + rc.ClassName + ".Grpc.g.cs", source);
        }
    }

    static string ResolveType(string protoName, Dictionary<string, string> types)
    {
        if (types.TryGetValue(protoName, out var cs)) return cs;
        const string wkt = ".google.protobuf.";
        if (protoName.StartsWith(wkt, StringComparison.Ordinal))
            return "global::Google.Protobuf.WellKnownTypes." + protoName.Substring(wkt.Length);
        // A message from another assembly: protoc's default namespace is the package in PascalCase.
        var segments = protoName.TrimStart('.').Split('.');
        return "global::" + string.Join(".", segments.Take(segments.Length - 1).Select(Pascal)) + "." + segments[segments.Length - 1];
    }

    static string Pascal(string s)
    {
        var sb = new StringBuilder();
        var upper = true;
        foreach (var ch in s)
        {
            if (ch == '_') { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(ch) : ch);
            upper = false;
        }
        return sb.ToString();
    }
}
