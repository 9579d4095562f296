using System;
using System.Collections.Generic;
using System.Text;

namespace Infra.Grpc.Generator;

/// <summary>The parts of a FileDescriptorProto the generator needs.</summary>
internal sealed class FileInfo
{
    public string Name = "";
    public string Package = "";
    public readonly List<string> MessageNames = new();   // dotted nesting: "Outer.Inner"
    public readonly List<ServiceInfo> Services = new();
}

internal sealed class ServiceInfo
{
    public string Name = "";
    public readonly List<MethodInfo> Methods = new();
}

internal sealed class MethodInfo
{
    public string Name = "";
    public string InputType = "";
    public string OutputType = "";
    public bool ClientStreaming;
    public bool ServerStreaming;
}

/// <summary>
/// A minimal protobuf wire reader for descriptor.proto: the analyzer cannot load Google.Protobuf, and
/// the few fields needed (names, package, nested messages, services, methods) are simple to read.
/// </summary>
internal static class DescriptorReader
{
    public static FileInfo ReadFile(byte[] data)
    {
        var file = new FileInfo();
        foreach (var (field, value) in Fields(data, 0, data.Length))
        {
            switch (field)
            {
                case 1: file.Name = Str(data, value); break;
                case 2: file.Package = Str(data, value); break;
                case 4: ReadMessage(data, value, "", file.MessageNames); break;
                case 6: file.Services.Add(ReadService(data, value)); break;
            }
        }
        return file;
    }

    static void ReadMessage(byte[] data, (int Start, int Length, ulong Varint) m, string prefix, List<string> names)
    {
        string name = "";
        var nested = new List<(int, int, ulong)>();
        foreach (var (field, value) in Fields(data, m.Start, m.Length))
        {
            if (field == 1) name = Str(data, value);
            else if (field == 3) nested.Add(value);
        }
        var full = prefix.Length == 0 ? name : prefix + "." + name;
        names.Add(full);
        foreach (var n in nested) ReadMessage(data, n, full, names);
    }

    static ServiceInfo ReadService(byte[] data, (int Start, int Length, ulong Varint) s)
    {
        var service = new ServiceInfo();
        foreach (var (field, value) in Fields(data, s.Start, s.Length))
        {
            if (field == 1) service.Name = Str(data, value);
            else if (field == 2)
            {
                var method = new MethodInfo();
                foreach (var (f, v) in Fields(data, value.Start, value.Length))
                {
                    switch (f)
                    {
                        case 1: method.Name = Str(data, v); break;
                        case 2: method.InputType = Str(data, v); break;
                        case 3: method.OutputType = Str(data, v); break;
                        case 5: method.ClientStreaming = v.Varint != 0; break;
                        case 6: method.ServerStreaming = v.Varint != 0; break;
                    }
                }
                service.Methods.Add(method);
            }
        }
        return service;
    }

    static string Str(byte[] data, (int Start, int Length, ulong Varint) v) => Encoding.UTF8.GetString(data, v.Start, v.Length);

    /// <summary>Yields (field number, value): length-delimited values as a slice, varints in Varint.</summary>
    static IEnumerable<(int Field, (int Start, int Length, ulong Varint) Value)> Fields(byte[] data, int start, int length)
    {
        var pos = start;
        var end = start + length;
        while (pos < end)
        {
            var tag = ReadVarint(data, ref pos);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0: yield return (field, (0, 0, ReadVarint(data, ref pos))); break;
                case 1: pos += 8; break;
                case 2:
                    var len = (int)ReadVarint(data, ref pos);
                    yield return (field, (pos, len, 0));
                    pos += len;
                    break;
                case 5: pos += 4; break;
                default: throw new FormatException($"Unsupported wire type in descriptor at byte {pos}.");
            }
        }
    }

    static ulong ReadVarint(byte[] data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("Malformed varint in descriptor.");
    }
}
