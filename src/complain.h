/*
 * complain: the program's messages on stderr ("mmhex: MESSAGE"), with
 * control characters escaped (parse_escape_ctl): file names, arguments and
 * the messages that echo them come from outside, and the terminal must not
 * take them for commands. Part of the program (main, cmp-batch), not the
 * core, which never prints.
 */
#ifndef MMH_COMPLAIN_H
#define MMH_COMPLAIN_H

void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
