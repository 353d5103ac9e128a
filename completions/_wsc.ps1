
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wsc' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wsc'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wsc' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Be the server: listen on [ADDR:]PORT and serve clients, each with an id (#1, #2, ...)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Be the server: listen on [ADDR:]PORT and serve clients, each with an id (#1, #2, ...)')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'With -l, serve at most N clients at once; more are answered 503')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'With -l, accept only requests for this path (others are answered 404)')
            [CompletionResult]::new('--require-header', '--require-header', [CompletionResultType]::ParameterName, 'With -l, accept only requests that carry this header with this value, as ''Name: value'' (repeatable: all are required; the name in any case, the value exactly). Others are answered 401 (with WWW-Authenticate: Basic realm="wsc"), naming the header, never its value. ''Origin: https://app.test'' checks where a browser client was loaded from')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Write shell completions or the man page to stdout (for packagers), or the config file''s profile names (for the completions)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The server, as wscat takes it (same as the URL argument)')
            [CompletionResult]::new('--connect', '--connect', [CompletionResultType]::ParameterName, 'The server, as wscat takes it (same as the URL argument)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header to the upgrade request, as ''Name: value'' (repeatable); it replaces a header wsc would send of the same name. ''Sec-WebSocket-Protocol: a, b'' offers subprotocols, as -s does')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header to the upgrade request, as ''Name: value'' (repeatable); it replaces a header wsc would send of the same name. ''Sec-WebSocket-Protocol: a, b'' offers subprotocols, as -s does')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Send Basic authorization with these credentials. With -l, require them of every client: a request without them is answered 401 (WWW-Authenticate: Basic realm="wsc")')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Send Basic authorization with these credentials (same as --auth; with -l, require them)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Send Basic authorization with these credentials (same as --auth; with -l, require them)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Send this Origin header')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Send this Origin header')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Offer this subprotocol (repeatable); the server must pick one of them. The -s ones are offered first, then those of -H ''Sec-WebSocket-Protocol: ...'', each once')
            [CompletionResult]::new('--subprotocol', '--subprotocol', [CompletionResultType]::ParameterName, 'Offer this subprotocol (repeatable); the server must pick one of them. The -s ones are offered first, then those of -H ''Sec-WebSocket-Protocol: ...'', each once')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'The User-Agent header; '''' sends none [default: wsc/VERSION]')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'The User-Agent header; '''' sends none [default: wsc/VERSION]')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Use these addresses for HOST at PORT instead of looking HOST up, as curl does (repeatable): ''--resolve wsc.test:443:127.0.0.1,[::1]''. HOST ''*'' stands for every host at that PORT; a later entry for the same HOST and PORT replaces an earlier one, and ''-HOST:PORT'' drops it. They apply to the host dialled (--connect-to''s HOST2 if one matched) and are kept to -4/-6 as looked-up ones are; TLS and the Host header keep the URL''s name')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Connect to HOST2:PORT2 when the URL''s host and port are HOST1:PORT1, as curl does (repeatable; the first match counts): ''--connect-to wsc.test:443:127.0.0.1:8443''. An empty HOST1 or PORT1 matches any; an empty HOST2 or PORT2 keeps the URL''s. IPv6 in brackets. TLS and the Host header keep the URL''s name')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Connect through this unix socket instead of TCP, as curl does: the URL still gives the Host header, the path and TLS (wss://, verified against the URL''s host); no proxy applies. wscat''s ''ws+unix:///run/app.sock:/path'' URL does the same (Host: localhost)')
            [CompletionResult]::new('--abstract-unix-socket', '--abstract-unix-socket', [CompletionResultType]::ParameterName, 'Connect through this abstract unix socket (Linux), as --unix-socket does; NAME without the ''@'' that ss and netstat show')
            [CompletionResult]::new('--client-max-window-bits', '--client-max-window-bits', [CompletionResultType]::ParameterName, 'Compress what we send with a window of at most 2^BITS bytes, BITS from 8 to 15 [default: any the server allows]')
            [CompletionResult]::new('--server-max-window-bits', '--server-max-window-bits', [CompletionResultType]::ParameterName, 'Ask the server to compress with a window of at most 2^BITS bytes, BITS from 8 to 15')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after SECS seconds (fractions allowed; 0: no limit), for DNS, TCP, TLS and the upgrade together, every hop through a proxy included')
            [CompletionResult]::new('--max-redirs', '--max-redirs', [CompletionResultType]::ParameterName, 'With -L, follow at most N redirects (0 or more) [default: 10]')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust the certificates in this PEM file')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (with --key; a pair that does not match is status 4 before connecting). With -l, the server''s certificate: wsc serves wss:// with it (the file may hold the chain, the server''s certificate first); a bad file, or a key that does not match, is status 4 before anything listens')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PKCS#8 PEM private key of --cert (with -l, the server''s key)')
            [CompletionResult]::new('--tls-min', '--tls-min', [CompletionResultType]::ParameterName, 'Accept TLS VERSION and later only: 1.2 (the default; older versions are never spoken) or 1.3. With -l and --cert, it is what clients must speak')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'Send NAME as the TLS server name (SNI) and verify the certificate against it, instead of the URL''s host: for a server reached by IP address, or by a name its certificate does not have. The Host header stays the URL''s')
            [CompletionResult]::new('--pinnedpubkey', '--pinnedpubkey', [CompletionResultType]::ParameterName, 'Accept only a server with this public key, as curl has it: ''sha256//BASE64'' hashes of the key (several separated by '';''), or a file holding the key in PEM or DER. Checked right after the TLS handshake, with -k too; a mismatch is status 4, before the upgrade is sent. -v shows the server''s hash')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this proxy, for ws:// and wss:// alike: http://HOST[:PORT] (HTTP CONNECT; also without a scheme), https:// (TLS to the proxy, then CONNECT), socks5:// (the server''s name resolved here) or socks5h:// (resolved by the proxy); the port is 1080 unless given (443 for https://); USER:PASS@ in it are the proxy''s credentials. '''' uses no proxy, whatever the environment says [default: the environment, as curl reads it: ws_proxy, WS_PROXY, http_proxy, all_proxy, ALL_PROXY for ws://; wss_proxy, WSS_PROXY, https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY for wss://; the first set and not empty]')
            [CompletionResult]::new('--noproxy', '--noproxy', [CompletionResultType]::ParameterName, 'Reach these hosts directly, without a proxy, instead of those in no_proxy or NO_PROXY: a comma-separated list of names (each also matches the names under it: example.com matches www.example.com), IP addresses and CIDR ranges (10.0.0.0/8, ::1); ''*'' alone is every host; '''' is none')
            [CompletionResult]::new('--proxy-user', '--proxy-user', [CompletionResultType]::ParameterName, 'The proxy''s credentials when its URL has none: Basic for an HTTP proxy, user and password for SOCKS5')
            [CompletionResult]::new('--proxy-cacert', '--proxy-cacert', [CompletionResultType]::ParameterName, 'Trust the certificates in this PEM file for an https:// proxy')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Send this message first, before stdin (repeatable)')
            [CompletionResult]::new('--execute', '--execute', [CompletionResultType]::ParameterName, 'Send this message first, before stdin (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: the REPL, or the events on stderr in a pipe (never what goes to stdout in a pipe: that is data)')
            [CompletionResult]::new('--max-dump', '--max-dump', [CompletionResultType]::ParameterName, 'In the REPL, show at most this many bytes of a binary message in its hex dump (0: no dump, only the size); a line then says how many bytes were not shown [default: 512]')
            [CompletionResult]::new('--history-file', '--history-file', [CompletionResultType]::ParameterName, 'Keep the REPL history in this file, creating its directory if missing [default: $XDG_STATE_HOME/wsc/history]')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'After input ends, close once no message has arrived for SECS seconds (fractions allowed; 0: at once; -1: wait for the server to close) [default: 1, or 5 with --count or --expect]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'After input ends, close once no message has arrived for SECS seconds (fractions allowed; 0: at once; -1: wait for the server to close) [default: 1, or 5 with --count or --expect]')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print N messages (1 or more), then close; what arrives after them is not printed. Status 8 if the session ends first, naming what was missing')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Succeed and close once received messages have matched these patterns, in order (repeatable); status 8 if the session ends first, naming the pattern missing')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'End the whole session, connecting included, with status 8 after SECS seconds (fractions allowed; 0: no limit)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'End the session with status 8 when no message has gone either way for SECS seconds (fractions allowed; 0: no limit)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Send a ping every SECS seconds (more than 0, fractions allowed)')
            [CompletionResult]::new('--ping-timeout', '--ping-timeout', [CompletionResultType]::ParameterName, 'With --ping-interval: status 6 when a pong takes longer than SECS seconds (more than 0, fractions allowed) [default: the interval]')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'With --reconnect: give up after N attempts in a row, with the status of the last failure [default: no limit]')
            [CompletionResult]::new('--close-code', '--close-code', [CompletionResultType]::ParameterName, 'The code of the Close that wsc sends: 1000-1003, 1007-1014 or 3000-4999 (the codes that may be sent)')
            [CompletionResult]::new('--close-reason', '--close-reason', [CompletionResultType]::ParameterName, 'The reason of the Close that wsc sends, at most 123 bytes of UTF-8')
            [CompletionResult]::new('--close-timeout', '--close-timeout', [CompletionResultType]::ParameterName, 'Wait at most SECS seconds (fractions allowed; 0: not at all) for the server''s answer to our Close')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Close with 1009 when a received message is larger than SIZE bytes: a number, or with k, M or G (also KiB, MiB, GiB; k = 1024), at least 1')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this TOML file instead of $XDG_CONFIG_HOME/wsc/config.toml (or ~/.config/wsc/config.toml); the environment''s WSC_CONFIG names one too. How the file is written is told at the end of --help')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use the config file''s [profile.NAME] table (WSC_PROFILE=NAME does too): its url when no URL is given, and its flags. Precedence: the command line, then the environment, then the profile, then the file''s top level')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use the config file''s [profile.NAME] table (WSC_PROFILE=NAME does too): its url when no URL is given, and its flags. Precedence: the command line, then the environment, then the profile, then the file''s top level')
            [CompletionResult]::new('--one', '--one', [CompletionResultType]::ParameterName, 'With -l, serve one client, as wscat -l does: once it is connected the port is closed (further connections are refused) and wsc exits with that session''s status')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Connect over IPv4 only: of a host''s addresses (looked up or given by --resolve), only IPv4 ones are tried, as in curl; status 3 if there is none')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Connect over IPv4 only: of a host''s addresses (looked up or given by --resolve), only IPv4 ones are tried, as in curl; status 3 if there is none')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Connect over IPv6 only, as -4 does for IPv4. Without either, a host''s addresses are raced (RFC 8305): IPv6 first, the next address after 250 ms or at once when one fails, and the first to connect is used')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Connect over IPv6 only, as -4 does for IPv4. Without either, a host''s addresses are raced (RFC 8305): IPv6 first, the next address after 250 ms or at once when one fails, and the first to connect is used')
            [CompletionResult]::new('--no-compress', '--no-compress', [CompletionResultType]::ParameterName, 'Do not offer permessage-deflate compression (offered by default, as browsers do)')
            [CompletionResult]::new('--client-no-context-takeover', '--client-no-context-takeover', [CompletionResultType]::ParameterName, 'Reset our compression context after every message (less memory, less compression)')
            [CompletionResult]::new('--server-no-context-takeover', '--server-no-context-takeover', [CompletionResultType]::ParameterName, 'Ask the server to reset its compression context after every message')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects (301, 302, 303, 307, 308) answered to the upgrade; http(s):// locations become ws(s)://. Authorization, Cookie and Host headers go only to the first URL''s scheme, host and port; a redirect from wss:// to ws:// is refused')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects (301, 302, 303, 307, 308) answered to the upgrade; http(s):// locations become ws(s)://. Authorization, Cookie and Host headers go only to the first URL''s scheme, host and port; a redirect from wss:// to ws:// is refused')
            [CompletionResult]::new('--location-trusted', '--location-trusted', [CompletionResultType]::ParameterName, 'Like -L, and send Authorization, Cookie and Host to every host the redirects lead to')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (--pinnedpubkey is still checked; -v tells what verification would have said)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (--pinnedpubkey is still checked; -v tells what verification would have said)')
            [CompletionResult]::new('--proxy-insecure', '--proxy-insecure', [CompletionResultType]::ParameterName, 'Do not verify an https:// proxy''s TLS certificate')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send each input line (stdin, or typed in the REPL) as a binary message instead of text')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send each input line (stdin, or typed in the REPL) as a binary message instead of text')
            [CompletionResult]::new('--jsonl', '--jsonl', [CompletionResultType]::ParameterName, 'Print one JSON object per event on stdout, and read stdin lines as such objects. In the REPL, typed lines are read as such objects (a bad one is reported and skipped; slash commands still work) and what arrives is shown for people, above the prompt')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output (same as --color never)')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Prefix each shown line (the REPL, events on stderr) with the local time, to the millisecond; with --jsonl, add a "ts" field (RFC 3339, UTC, milliseconds)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Show pings and pongs in both directions, with their payloads (on stderr in a pipe)')
            [CompletionResult]::new('--show-ping-pong', '--show-ping-pong', [CompletionResultType]::ParameterName, 'Show pings and pongs in both directions, with their payloads (on stderr in a pipe)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal is a one-shot as in wscat: send, print the replies until --wait, close and exit')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'With -x in a terminal, open the prompt after the -x messages. Without it, -x in a terminal is a one-shot as in wscat: send, print the replies until --wait, close and exit')
            [CompletionResult]::new('--slash', '--slash', [CompletionResultType]::ParameterName, 'Read lines that start with / as slash commands: the default, so this changes nothing (wscat needs it)')
            [CompletionResult]::new('--no-slash', '--no-slash', [CompletionResultType]::ParameterName, 'Send lines that start with / as they are, instead of as slash commands')
            [CompletionResult]::new('--no-history', '--no-history', [CompletionResultType]::ParameterName, 'Do not read or write the REPL history')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Report on stderr how the connection was made: the route (proxy, unix socket, addresses tried, redirects followed), the TLS version, cipher, ALPN, the server''s key hash and each certificate of its chain (subject, issuer, names, expiry), the upgrade request and answer, timings per hop, and connection events. Values of headers and query parameters whose names look like credentials (token, key, secret, auth, password, session, cookie) are masked unless -vv; Sec-WebSocket-Key and -Accept are shown. A certificate that expires within 14 days is a warning even without -v')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Report on stderr how the connection was made: the route (proxy, unix socket, addresses tried, redirects followed), the TLS version, cipher, ALPN, the server''s key hash and each certificate of its chain (subject, issuer, names, expiry), the upgrade request and answer, timings per hop, and connection events. Values of headers and query parameters whose names look like credentials (token, key, secret, auth, password, session, cookie) are masked unless -vv; Sec-WebSocket-Key and -Accept are shown. A certificate that expires within 14 days is a warning even without -v')
            [CompletionResult]::new('-1', '-1', [CompletionResultType]::ParameterName, 'Print one message, then close (same as --count 1; websocat''s -1)')
            [CompletionResult]::new('--one-message', '--one-message', [CompletionResultType]::ParameterName, 'Print one message, then close (same as --count 1; websocat''s -1)')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'Connect again after a transient failure: a connection lost, a connect error, a 5xx or 429 answer, a Close 1001, 1011, 1012 or 1013 (never after 1000, another 4xx, a TLS failure or quitting). Waits from 0.5 s doubling to 30 s, with full jitter (Retry-After honoured), reset after 10 s connected. Stdin is not read while disconnected; lines typed in the REPL wait and are sent once reconnected; -x is sent on every connection; --count and --expect count across connections and --max-time bounds the whole run')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send every received message back unchanged, ignoring stdin, until the server closes')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'At exit, print one line of figures on stderr (time, messages and bytes each way, ping round trips, close)')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Read no config file (WSC_CONFIG and WSC_PROFILE are ignored)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
