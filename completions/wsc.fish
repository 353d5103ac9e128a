complete -c wsc -s l -l listen -d 'Be the server: listen on [ADDR:]PORT and serve clients, each with an id (#1, #2, ...)' -r
complete -c wsc -l max-clients -d 'With -l, serve at most N clients at once; more are answered 503' -r
complete -c wsc -l path -d 'With -l, accept only requests for this path (others are answered 404)' -r
complete -c wsc -l require-header -d 'With -l, accept only requests that carry this header with this value, as \'Name: value\' (repeatable: all are required; the name in any case, the value exactly). Others are answered 401 (with WWW-Authenticate: Basic realm="wsc"), naming the header, never its value. \'Origin: https://app.test\' checks where a browser client was loaded from' -r
complete -c wsc -l generate -d 'Write shell completions or the man page to stdout (for packagers), or the config file\'s profile names (for the completions)' -r -f -a "bash\t''
zsh\t''
fish\t''
elvish\t''
powershell\t''
man\t''
profiles\t''"
complete -c wsc -s c -l connect -d 'The server, as wscat takes it (same as the URL argument)' -r
complete -c wsc -s H -l header -d 'Add a header to the upgrade request, as \'Name: value\' (repeatable); it replaces a header wsc would send of the same name. \'Sec-WebSocket-Protocol: a, b\' offers subprotocols, as -s does' -r
complete -c wsc -l auth -d 'Send Basic authorization with these credentials. With -l, require them of every client: a request without them is answered 401 (WWW-Authenticate: Basic realm="wsc")' -r
complete -c wsc -s u -l user -d 'Send Basic authorization with these credentials (same as --auth; with -l, require them)' -r
complete -c wsc -s o -l origin -d 'Send this Origin header' -r
complete -c wsc -s s -l subprotocol -d 'Offer this subprotocol (repeatable); the server must pick one of them. The -s ones are offered first, then those of -H \'Sec-WebSocket-Protocol: ...\', each once' -r
complete -c wsc -s A -l user-agent -d 'The User-Agent header; \'\' sends none [default: wsc/VERSION]' -r
complete -c wsc -l resolve -d 'Use these addresses for HOST at PORT instead of looking HOST up, as curl does (repeatable): \'--resolve wsc.test:443:127.0.0.1,[::1]\'. HOST \'*\' stands for every host at that PORT; a later entry for the same HOST and PORT replaces an earlier one, and \'-HOST:PORT\' drops it. They apply to the host dialled (--connect-to\'s HOST2 if one matched) and are kept to -4/-6 as looked-up ones are; TLS and the Host header keep the URL\'s name' -r
complete -c wsc -l connect-to -d 'Connect to HOST2:PORT2 when the URL\'s host and port are HOST1:PORT1, as curl does (repeatable; the first match counts): \'--connect-to wsc.test:443:127.0.0.1:8443\'. An empty HOST1 or PORT1 matches any; an empty HOST2 or PORT2 keeps the URL\'s. IPv6 in brackets. TLS and the Host header keep the URL\'s name' -r
complete -c wsc -l unix-socket -d 'Connect through this unix socket instead of TCP, as curl does: the URL still gives the Host header, the path and TLS (wss://, verified against the URL\'s host); no proxy applies. wscat\'s \'ws+unix:///run/app.sock:/path\' URL does the same (Host: localhost)' -r -F
complete -c wsc -l abstract-unix-socket -d 'Connect through this abstract unix socket (Linux), as --unix-socket does; NAME without the \'@\' that ss and netstat show' -r
complete -c wsc -l client-max-window-bits -d 'Compress what we send with a window of at most 2^BITS bytes, BITS from 8 to 15 [default: any the server allows]' -r
complete -c wsc -l server-max-window-bits -d 'Ask the server to compress with a window of at most 2^BITS bytes, BITS from 8 to 15' -r
complete -c wsc -l connect-timeout -d 'Give up connecting after SECS seconds (fractions allowed; 0: no limit), for DNS, TCP, TLS and the upgrade together, every hop through a proxy included' -r
complete -c wsc -l max-redirs -d 'With -L, follow at most N redirects (0 or more) [default: 10]' -r
complete -c wsc -l ca -d 'Trust the certificates in this PEM file' -r
complete -c wsc -l cert -d 'Present this PEM client certificate (with --key; a pair that does not match is status 4 before connecting). With -l, the server\'s certificate: wsc serves wss:// with it (the file may hold the chain, the server\'s certificate first); a bad file, or a key that does not match, is status 4 before anything listens' -r
complete -c wsc -l key -d 'The PKCS#8 PEM private key of --cert (with -l, the server\'s key)' -r
complete -c wsc -l tls-min -d 'Accept TLS VERSION and later only: 1.2 (the default; older versions are never spoken) or 1.3. With -l and --cert, it is what clients must speak' -r -f -a "1.2\t''
1.3\t''"
complete -c wsc -l servername -d 'Send NAME as the TLS server name (SNI) and verify the certificate against it, instead of the URL\'s host: for a server reached by IP address, or by a name its certificate does not have. The Host header stays the URL\'s' -r
complete -c wsc -l pinnedpubkey -d 'Accept only a server with this public key, as curl has it: \'sha256//BASE64\' hashes of the key (several separated by \';\'), or a file holding the key in PEM or DER. Checked right after the TLS handshake, with -k too; a mismatch is status 4, before the upgrade is sent. -v shows the server\'s hash' -r
complete -c wsc -l proxy -d 'Reach the server through this proxy, for ws:// and wss:// alike: http://HOST[:PORT] (HTTP CONNECT; also without a scheme), https:// (TLS to the proxy, then CONNECT), socks5:// (the server\'s name resolved here) or socks5h:// (resolved by the proxy); the port is 1080 unless given (443 for https://); USER:PASS@ in it are the proxy\'s credentials. \'\' uses no proxy, whatever the environment says [default: the environment, as curl reads it: ws_proxy, WS_PROXY, http_proxy, all_proxy, ALL_PROXY for ws://; wss_proxy, WSS_PROXY, https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY for wss://; the first set and not empty]' -r
complete -c wsc -l noproxy -d 'Reach these hosts directly, without a proxy, instead of those in no_proxy or NO_PROXY: a comma-separated list of names (each also matches the names under it: example.com matches www.example.com), IP addresses and CIDR ranges (10.0.0.0/8, ::1); \'*\' alone is every host; \'\' is none' -r
complete -c wsc -l proxy-user -d 'The proxy\'s credentials when its URL has none: Basic for an HTTP proxy, user and password for SOCKS5' -r
complete -c wsc -l proxy-cacert -d 'Trust the certificates in this PEM file for an https:// proxy' -r
complete -c wsc -s x -l execute -d 'Send this message first, before stdin (repeatable)' -r
complete -c wsc -l color -d 'When to colour the output: the REPL, or the events on stderr in a pipe (never what goes to stdout in a pipe: that is data)' -r -f -a "auto\t'Colour when the output is a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it)'
always\t''
never\t''"
complete -c wsc -l max-dump -d 'In the REPL, show at most this many bytes of a binary message in its hex dump (0: no dump, only the size); a line then says how many bytes were not shown [default: 512]' -r
complete -c wsc -l pretty -d 'Show a received JSON object or array indented and coloured (keys, strings, numbers and literals each in their colour, escapes kept as sent). auto: in the REPL; always: also on stdout in a pipe (coloured as --color decides for stdout: `--pretty always --color always | less -R`); never. What is sent is never changed; --jsonl objects stay one per line' -r -f -a "auto\t'In the REPL'
always\t'In the REPL and on stdout in a pipe'
never\t''"
complete -c wsc -l max-lines -d 'In the REPL, show at most N lines of a pretty-printed message (0: all); a line then says how many were hidden, and /last shows the message in full [default: 40]' -r
complete -c wsc -l jq -d 'Filter each received JSON message through this jq expression (jaq\'s jq, with its standard library), in every mode: its outputs replace the message, each as a message of its own in compact JSON (`empty` or a failed `select` drops it); messages that are not JSON, and binary ones, pass unchanged. A runtime error on one message is a one-line note and the session goes on. --count and --expect count and match what the filter lets through: `--jq \'select(.type=="trade")\' --count 10` is ten trades. /jq changes it in the REPL' -r
complete -c wsc -l history-file -d 'Keep the REPL history in this file, creating its directory if missing [default: $XDG_STATE_HOME/wsc/history]' -r -F
complete -c wsc -s w -l wait -d 'After input ends, close once no message has arrived for SECS seconds (fractions allowed; 0: at once; -1: wait for the server to close) [default: 1, or 5 with --count or --expect]' -r
complete -c wsc -l count -d 'Print N messages (1 or more), then close; what arrives after them is not printed. Status 8 if the session ends first, naming what was missing. With --jq, N messages that the filter let through' -r
complete -c wsc -l expect -d 'Succeed and close once received messages have matched these patterns, in order (repeatable); status 8 if the session ends first, naming the pattern missing. With --jq, the patterns match what the filter let through' -r
complete -c wsc -l max-time -d 'End the whole session, connecting included, with status 8 after SECS seconds (fractions allowed; 0: no limit)' -r
complete -c wsc -l idle-timeout -d 'End the session with status 8 when no message has gone either way for SECS seconds (fractions allowed; 0: no limit)' -r
complete -c wsc -l ping-interval -d 'Send a ping every SECS seconds (more than 0, fractions allowed)' -r
complete -c wsc -l ping-timeout -d 'With --ping-interval: status 6 when a pong takes longer than SECS seconds (more than 0, fractions allowed) [default: the interval]' -r
complete -c wsc -l reconnect-max -d 'With --reconnect: give up after N attempts in a row, with the status of the last failure [default: no limit]' -r
complete -c wsc -l close-code -d 'The code of the Close that wsc sends: 1000-1003, 1007-1014 or 3000-4999 (the codes that may be sent)' -r
complete -c wsc -l close-reason -d 'The reason of the Close that wsc sends, at most 123 bytes of UTF-8' -r
complete -c wsc -l close-timeout -d 'Wait at most SECS seconds (fractions allowed; 0: not at all) for the server\'s answer to our Close' -r
complete -c wsc -l max-message-size -d 'Close with 1009 when a received message is larger than SIZE bytes: a number, or with k, M or G (also KiB, MiB, GiB; k = 1024), at least 1' -r
complete -c wsc -l heartbeat -d 'Send MSG as a text message every SECS seconds (--every), for services that want an application-level ping rather than a WebSocket one. The first goes SECS after the connection opens, and the timer starts again on every connection (--reconnect). Heartbeats are not input: the input ending, --count and --expect ignore them, and so does --idle-timeout, as with keepalive pings. --stats counts them apart from messages; -P shows each (\'* heartbeat sent "MSG"\'); --record writes them with "auto":"heartbeat"' -r
complete -c wsc -l every -d 'How often --heartbeat sends its message: SECS seconds, more than 0, fractions allowed' -r
complete -c wsc -l record -d 'Write the session to FILE (created or emptied) as JSON lines, as it goes: every frame sent ("dir":"out") and received ("dir":"in") as --jsonl has it, and the connection\'s open and reconnecting objects ("dir":"conn"), each with "ts" (UTC, RFC 3339, milliseconds). Frames wsc sent on its own (answers to pings and Closes, its own Close, keepalives, heartbeats, echoes) have "auto". Each line is written at once, so a crash loses none; a write that fails is a warning and the session goes on unrecorded. Any output format' -r -F
complete -c wsc -l replay -d 'Send a recording\'s outgoing messages (--record\'s "dir":"out" lines without "auto") with their original timing, counted from its first open to this run\'s first connection. A recorded Close is sent too (and ends the replay); the Close that ended the recorded session, wsc\'s own, is not: after the last message the usual rules apply (-w, --count, --expect), so \'wsc URL --replay bug.jsonl --expect error\' is a regression test. The file is checked first (a bad line is a usage error naming it); stdin is not read (-x still goes first). Status 9 if the server closes before every message was sent' -r -F
complete -c wsc -l replay-speed -d 'With --replay: play X times as fast (2: the gaps halved, 0.5: doubled; 0: every message at once) [default: 1]' -r
complete -c wsc -l config -d 'Read settings from this TOML file instead of $XDG_CONFIG_HOME/wsc/config.toml (or ~/.config/wsc/config.toml); the environment\'s WSC_CONFIG names one too. How the file is written is told at the end of --help' -r -F
complete -c wsc -s p -l profile -d 'Use the config file\'s [profile.NAME] table (WSC_PROFILE=NAME does too): its url when no URL is given, and its flags. Precedence: the command line, then the environment, then the profile, then the file\'s top level' -r -f -a "(wsc --generate profiles 2>/dev/null)"
complete -c wsc -l one -d 'With -l, serve one client, as wscat -l does: once it is connected the port is closed (further connections are refused) and wsc exits with that session\'s status'
complete -c wsc -s 4 -l ipv4 -d 'Connect over IPv4 only: of a host\'s addresses (looked up or given by --resolve), only IPv4 ones are tried, as in curl; status 3 if there is none'
complete -c wsc -s 6 -l ipv6 -d 'Connect over IPv6 only, as -4 does for IPv4. Without either, a host\'s addresses are raced (RFC 8305): IPv6 first, the next address after 250 ms or at once when one fails, and the first to connect is used'
complete -c wsc -l no-compress -d 'Do not offer permessage-deflate compression (offered by default, as browsers do)'
complete -c wsc -l client-no-context-takeover -d 'Reset our compression context after every message (less memory, less compression)'
complete -c wsc -l server-no-context-takeover -d 'Ask the server to reset its compression context after every message'
complete -c wsc -s L -l location -d 'Follow redirects (301, 302, 303, 307, 308) answered to the upgrade; http(s):// locations become ws(s)://. Authorization, Cookie and Host headers go only to the first URL\'s scheme, host and port; a redirect from wss:// to ws:// is refused'
complete -c wsc -l location-trusted -d 'Like -L, and send Authorization, Cookie and Host to every host the redirects lead to'
complete -c wsc -s k -l insecure -d 'Do not verify the server\'s TLS certificate (--pinnedpubkey is still checked; -v tells what verification would have said)'
complete -c wsc -l proxy-insecure -d 'Do not verify an https:// proxy\'s TLS certificate'
complete -c wsc -s b -l binary -d 'Send each input line (stdin, or typed in the REPL) as a binary message instead of text'
complete -c wsc -l jsonrpc -d 'Speak JSON-RPC 2.0: each line (typed, on stdin, or -x) is METHOD, METHOD {PARAMS} or METHOD [PARAMS], sent as a request with an id counting up from 1. Replies are shown with the id of their request and the round trip, error replies in red, notifications as such; in a pipe each JSON-RPC message is one compact line on stdout, for jq. In the REPL, Tab completes the methods seen. With --jsonl, only the output is JSON lines. The details are at the end of --help'
complete -c wsc -l jsonrpc-bare -d '--jsonrpc with requests that leave out "jsonrpc":"2.0", as {"id":N,"method":..., "params":...}: the Chrome DevTools Protocol (Chrome, Node\'s --inspect) refuses a request with any member but id, method, params and sessionId'
complete -c wsc -l jsonl -d 'Print one JSON object per event on stdout, and read stdin lines as such objects. In the REPL, typed lines are read as such objects (a bad one is reported and skipped; slash commands still work) and what arrives is shown for people, above the prompt. With --jsonrpc, lines are requests still: only what is printed is JSON lines'
complete -c wsc -l no-color -d 'Never colour the output (same as --color never)'
complete -c wsc -l timestamps -d 'Prefix each shown line (the REPL, events on stderr) with the local time, to the millisecond; with --jsonl, add a "ts" field (RFC 3339, UTC, milliseconds)'
complete -c wsc -s P -l show-ping-pong -d 'Show pings and pongs in both directions, with their payloads (on stderr in a pipe)'
complete -c wsc -s i -l interactive -d 'With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal is a one-shot as in wscat: send, print the replies until --wait, close and exit'
complete -c wsc -l slash -d 'Read lines that start with / as slash commands: the default, so this changes nothing (wscat needs it)'
complete -c wsc -l no-slash -d 'Send lines that start with / as they are, instead of as slash commands'
complete -c wsc -l no-history -d 'Do not read or write the REPL history'
complete -c wsc -s v -l verbose -d 'Report on stderr how the connection was made: the route (proxy, unix socket, addresses tried, redirects followed), the TLS version, cipher, ALPN, the server\'s key hash and each certificate of its chain (subject, issuer, names, expiry), the upgrade request and answer, timings per hop, and connection events. Values of headers and query parameters whose names look like credentials (token, key, secret, auth, password, session, cookie) are masked unless -vv; Sec-WebSocket-Key and -Accept are shown. A certificate that expires within 14 days is a warning even without -v'
complete -c wsc -s 1 -l one-message -d 'Print one message, then close (same as --count 1; websocat\'s -1)'
complete -c wsc -l reconnect -d 'Connect again after a transient failure: a connection lost, a connect error, a 5xx or 429 answer, a Close 1001, 1011, 1012 or 1013 (never after 1000, another 4xx, a TLS failure or quitting). Waits from 0.5 s doubling to 30 s, with full jitter (Retry-After honoured), reset after 10 s connected. Stdin is not read while disconnected; lines typed in the REPL wait and are sent once reconnected; -x is sent on every connection; --count and --expect count across connections and --max-time bounds the whole run'
complete -c wsc -l echo -d 'Send every received message back unchanged, ignoring stdin, until the server closes'
complete -c wsc -l stats -d 'At exit, print one line of figures on stderr (time, messages and bytes each way, ping round trips, close)'
complete -c wsc -l no-config -d 'Read no config file (WSC_CONFIG and WSC_PROFILE are ignored)'
complete -c wsc -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wsc -s V -l version -d 'Print version'
