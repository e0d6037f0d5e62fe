/* cmd.h - the subcommands of the `callsla` tool, one file each
 * (cmd_<name>.c).  Each takes the arguments after its name (argv[0] is the
 * subcommand's name) and returns the process exit status. */
#ifndef CALLSLA_CMD_H
#define CALLSLA_CMD_H

int csla_cmd_replay(int argc, char **argv);
int csla_cmd_convert(int argc, char **argv);
int csla_cmd_check_config(int argc, char **argv);
int csla_cmd_sim(int argc, char **argv);
int csla_cmd_produce(int argc, char **argv);
int csla_cmd_consume(int argc, char **argv);
int csla_cmd_devbroker(int argc, char **argv);
int csla_cmd_snapshot(int argc, char **argv);
int csla_cmd_alert_test(int argc, char **argv);

#endif
