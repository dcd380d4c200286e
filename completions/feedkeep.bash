# bash completion for feedkeep(1): subcommands, their options, and the
# values of --format, --sort and --for. The commands and options are read from
# feedkeep's own --help, so the completion never falls behind the program.
# Installed to share/bash-completion/completions/feedkeep.

_feedkeep()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} cmd= i
    # The subcommand: the first word that is neither an option nor the
    # value of --db.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --db) ((i++)) ;;
        -*) ;;
        *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    case $prev in
    --db | --dir | --base-url)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --format)
        if [[ $cmd == export ]]; then
            COMPREPLY=($(compgen -W "md jsonl" -- "$cur"))
        elif [[ $cmd == dedup ]]; then
            COMPREPLY=($(compgen -W "text json" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "table tsv csv json" -- "$cur"))
        fi
        return
        ;;
    --sort)
        COMPREPLY=($(compgen -W "published updated first_seen" -- "$cur"))
        return
        ;;
    --for)
        COMPREPLY=($(compgen -W "plain hugo jekyll obsidian" -- "$cur"))
        return
        ;;
    esac
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--db --quiet --verbose --help --version" -- "$cur"))
        else
            local commands
            commands=$("$prog" --help 2>/dev/null |
                sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        local options
        options=$("$prog" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ $cmd == import || $cmd == parse || $cmd == opml ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _feedkeep feedkeep
