# bash completion for feedkeep(1): subcommands, their options, the values
# of --format, --sort and --for, and of --tag, --lang, --feed and --author from the
# archive (feedkeep complete). The commands and options are read from
# feedkeep's own --help, so the completion never falls behind the program.
# Installed to share/bash-completion/completions/feedkeep.

_feedkeep()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} cmd= sub= i
    local -a db=()
    # The subcommand: the first word that is neither an option nor the
    # value of --db; and --db, wherever it is, for the archive's names.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --db) db=(--db "${COMP_WORDS[i + 1]}"); ((i++)) ;;
        --db=*) db=("${COMP_WORDS[i]}") ;;
        -*) ;;
        *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;
        esac
    done
    case $prev in
    --db | --dir | --base-url | --assets-dir)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --assets)
        if [[ $cmd == export ]]; then
            COMPREPLY=($(compgen -W "copy remote" -- "$cur"))
            return
        fi
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
    --type)
        COMPREPLY=($(compgen -W "image video audio" -- "$cur"))
        return
        ;;
    --status)
        COMPREPLY=($(compgen -W "pending stored failed skipped" -- "$cur"))
        return
        ;;
    -o | --output)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --for)
        COMPREPLY=($(compgen -W "plain hugo jekyll obsidian" -- "$cur"))
        ;;
    --tag | --any-tag | --lang | --has-code | --feed | --author)
        local what=tags line
        case $prev in
        --lang | --has-code) what=languages ;;
        --feed) what=feeds ;;
        --author) what=authors ;;
        esac
        COMPREPLY=()
        while IFS= read -r line; do
            COMPREPLY+=("$(printf '%q' "$line")")
        done < <("$prog" "${db[@]}" complete "$what" "$cur" 2>/dev/null)
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
    elif [[ $cmd == opml && -z $sub ]]; then
        COMPREPLY=($(compgen -W "import export" -- "$cur"))
    elif [[ $cmd == assets && -z $sub ]]; then
        COMPREPLY=($(compgen -W "get put" -- "$cur"))
    elif [[ $cmd == assets && $sub == get ]]; then
        COMPREPLY=($("$prog" "${db[@]}" complete assets "$cur" 2>/dev/null))
    elif [[ $cmd == assets && $sub == put && $prev != put ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    elif [[ $cmd == help && -z $sub ]]; then
        local commands
        commands=$("$prog" --help 2>/dev/null |
            sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [[ $cmd == import || $cmd == parse || ($cmd == opml && $sub == import) ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _feedkeep feedkeep
