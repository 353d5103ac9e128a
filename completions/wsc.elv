
use builtin;
use str;

set edit:completion:arg-completer[wsc] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wsc'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wsc'= {
            cand --generate 'Write shell completions or the man page to stdout (for packagers)'
            cand -c 'The server, as wscat takes it (same as the URL argument)'
            cand --connect 'The server, as wscat takes it (same as the URL argument)'
            cand -H 'Add a header to the upgrade request, as ''Name: value'' (repeatable)'
            cand --header 'Add a header to the upgrade request, as ''Name: value'' (repeatable)'
            cand --auth 'Send Basic authorization with these credentials'
            cand -u 'Send Basic authorization with these credentials (same as --auth)'
            cand --user 'Send Basic authorization with these credentials (same as --auth)'
            cand -o 'Send this Origin header'
            cand --origin 'Send this Origin header'
            cand -s 'Offer this subprotocol (repeatable); the server must pick one of them'
            cand --subprotocol 'Offer this subprotocol (repeatable); the server must pick one of them'
            cand -A 'The User-Agent header [default: wsc/VERSION]'
            cand --user-agent 'The User-Agent header [default: wsc/VERSION]'
            cand --client-max-window-bits 'Compress what we send with a window of at most 2^BITS bytes (8-15) [default: any the server allows]'
            cand --server-max-window-bits 'Ask the server to compress with a window of at most 2^BITS bytes (8-15)'
            cand --connect-timeout 'Give up connecting after this many seconds (DNS, TCP, TLS and the upgrade together)'
            cand --ca 'Trust the certificates in this PEM file'
            cand --cert 'Present this PEM client certificate (with --key)'
            cand --key 'The PKCS#8 PEM private key of --cert'
            cand -x 'Send this message first, before stdin (repeatable)'
            cand --execute 'Send this message first, before stdin (repeatable)'
            cand --color 'When to colour the output'
            cand --max-dump 'Show at most this many bytes of a binary message in its hex dump (0: no dump, only the size); a line then says how many bytes were not shown'
            cand --history-file 'Keep the REPL history in this file [default: $XDG_STATE_HOME/wsc/history]'
            cand -w 'After input ends, close once no message has arrived for this long (0: at once; -1: wait for the server to close) [default: 1, or -1 with --count]'
            cand --wait 'After input ends, close once no message has arrived for this long (0: at once; -1: wait for the server to close) [default: 1, or -1 with --count]'
            cand --count 'After input ends, close once this many messages have been received in all'
            cand --expect 'Succeed once received messages have matched these patterns, in order (repeatable); status 8 if the session ends first'
            cand --max-time 'End the whole session after this long (status 8)'
            cand --idle-timeout 'End the session when no message has gone either way for this long (status 8)'
            cand --ping-interval 'Send a ping this often'
            cand --ping-timeout 'With --ping-interval: status 6 when a pong takes longer than this [default: the interval]'
            cand --close-code 'The code of the Close that wsc sends'
            cand --close-reason 'The reason of the Close that wsc sends'
            cand --close-timeout 'How long to wait for the server''s answer to our Close'
            cand --max-message-size 'Close with 1009 when a received message is larger than this'
            cand --no-compress 'Do not offer permessage-deflate compression (offered by default, as browsers do)'
            cand --client-no-context-takeover 'Reset our compression context after every message (less memory, less compression)'
            cand --server-no-context-takeover 'Ask the server to reset its compression context after every message'
            cand -k 'Do not verify the server''s TLS certificate'
            cand --insecure 'Do not verify the server''s TLS certificate'
            cand -b 'Send each input line (stdin, or typed in the REPL) as a binary message instead of text'
            cand --binary 'Send each input line (stdin, or typed in the REPL) as a binary message instead of text'
            cand --jsonl 'Print one JSON object per event, and read stdin lines as such objects. In the REPL, typed lines are read as such objects (a bad one is reported and skipped; slash commands still work) and what arrives is shown for people, above the prompt'
            cand --no-color 'Never colour the output (same as --color never)'
            cand --timestamps 'Prefix each shown line with the local time, to the millisecond'
            cand -P 'Show pings and pongs in both directions, with their payloads'
            cand --show-ping-pong 'Show pings and pongs in both directions, with their payloads'
            cand -i 'With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal is a one-shot as in wscat: send, print the replies until --wait, close and exit'
            cand --interactive 'With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal is a one-shot as in wscat: send, print the replies until --wait, close and exit'
            cand --no-slash 'Send lines that start with / as they are, instead of as slash commands'
            cand --no-history 'Do not read or write the REPL history'
            cand -v 'Report connection events on stderr (-vv shows credentials too)'
            cand --verbose 'Report connection events on stderr (-vv shows credentials too)'
            cand --echo 'Send every received message back unchanged, ignoring stdin, until the server closes'
            cand --stats 'At exit, print one line of figures on stderr (time, messages and bytes each way, ping round trips, close)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
