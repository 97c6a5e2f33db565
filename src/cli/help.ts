/** Usage texts printed by `rmq --help` and `rmq serve --help`. */

/** Top-level usage. */
export function mainHelp(): string {
  return `rmq — a RocketMQ-compatible name server and broker

Usage:
  rmq serve --role=namesrv|broker|all [-c file] [-n addr] [-p|-m] [--key=value ...]
  rmq admin <command> [options]      mqadmin-style administration ("rmq admin --help" lists commands)
  rmq bench producer|consumer [options]  benchmark a broker ("rmq bench --help" lists options)
  rmq version                        print the version
  rmq --help                         this text ("rmq serve --help" for server options)

Environment:
  NAMESRV_ADDR     name server list for brokers when neither -n nor namesrvAddr is given
  RMQ_LOG_LEVEL    DEBUG, INFO (default), WARN or ERROR
`;
}

/** Usage of `rmq serve`. */
export function serveHelp(): string {
  return `Usage: rmq serve --role=namesrv|broker|all [options] [--key=value ...]

Roles:
  namesrv        a name server (default port 9876), like mqnamesrv
  broker         a broker (default port 10911), like mqbroker
  all            a name server and a broker in one process; the broker registers with it unless
                 namesrvAddr is given (--namesrvPort sets the name server's port, default 9876)

Options:
  -c, --configFile <file>   properties file (conf/broker.conf, conf/2m-2s-sync/broker-a.properties, ...)
  -n, --namesrvAddr <list>  name servers, "host:port;host:port" (beats the file and NAMESRV_ADDR)
  -p, --printConfigItem     print the effective configuration as sorted key=value lines and exit
  -m, --printImportantConfig  print only the important settings and exit
  --strict                  refuse to start on any config warning (unknown key, trailing blanks, ...)
  -h, --help                this text
  --<key>=<value>           any config key, e.g. --listenPort=10911 --storePathRootDir=~/store
                            (beats the file; a bare --<key> means --<key>=true)

Precedence, lowest first: defaults, NAMESRV_ADDR, the -c file, --key=value, -n.
Unknown keys are reported with a warning; invalid values stop start-up with exit status 1.
Logs go to <logDir>/rmq.log (default ~/logs/rmq) and to stderr.
`;
}
