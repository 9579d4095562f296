using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>
/// infractl completion bash|zsh prints a script that asks infractl itself for candidates through
/// System.CommandLine's [suggest:POSITION] directive, so completions always match this binary's commands.
/// The script passes the words after "infractl" up to the cursor, and the cursor is at the end of that text.
/// </summary>
public static class CompletionCommand
{
    public const string Bash = """
        # infractl bash completion. Load it with:  source <(infractl completion bash)
        _infractl_complete() {
            local IFS=' '
            local line="${COMP_WORDS[*]:1:COMP_CWORD}"
            local IFS=$'\n'
            COMPREPLY=( $(infractl "[suggest:${#line}]" "$line" 2>/dev/null) )
        }
        complete -o default -F _infractl_complete infractl
        """;

    public const string Zsh = """
        #compdef infractl
        # infractl zsh completion. Load it with:  source <(infractl completion zsh)
        _infractl() {
            local line="${(j: :)words[2,CURRENT]}"
            local -a candidates
            candidates=("${(@f)$(infractl "[suggest:${#line}]" "$line" 2>/dev/null)}")
            compadd -a candidates
        }
        compdef _infractl infractl
        """;

    public static Command Build(CommandKit kit)
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var cmd = new Command("completion", "Print a shell completion script: source <(infractl completion bash)") { shell };
        return kit.Custom(cmd, null, s =>
        {
            s.Out.WriteLine(s.Parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return Task.FromResult(ExitCodes.Ok);
        });
    }
}
