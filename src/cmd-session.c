/*
 * cmd-session: the commands about the session itself: quit, help, the
 * message history, refresh, the prompts, the residency map, and dump.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd-family.h"
#include "job.h"
#include "keymap.h"
#include "parse.h"
#include "screen.h"

#define DUMP_MAX (16u << 20) /* bytes one dump command may print */

static int c_quit(Session *s, const char *arg, unsigned *r)
{
    (void)arg;
    const Job *j = job_freezing(s);
    if (j && !s->batch)
        return confirm_ask(s, "quit!", "%s is running: quit and cancel it? (y/n)", j->what);
    if (session_unwritten(s) && !s->batch)
        return confirm_ask(s, "quit!",
                           "unwritten edits: quit and lose them? (y/n; w writes them first)");
    *r |= MMH_R_QUIT;
    return 0;
}

static int c_quit_force(Session *s, const char *arg, unsigned *r)
{
    (void)s, (void)arg;
    *r |= MMH_R_QUIT;
    return 0;
}

static int c_help(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    char *text = cmd_help_text();
    if (!text)
        return fail(s, -ENOMEM, "help: out of memory");
    if (s->batch) {
        emit(s, "%s", text);
        free(text);
        return 0;
    }
    return pager_open(s, " mmhex help: arrows/PgDn scroll, any other key returns", text);
}

/* The message history, oldest first. */
static int c_messages(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    session_log(s); /* the message on the row now, too */
    for (size_t i = 0; i < s->log_len; i++) {
        const LogLine *l = &s->log[(s->log_head + i) % SESSION_LOG_MAX];
        time_t at = (time_t)l->at;
        struct tm tm;
        char when[16] = "--:--:--";
        if (localtime_r(&at, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        emit(s, "%s %s%s", when, l->err ? "error: " : "", l->text);
        if (l->repeat)
            emit(s, " (%u more time%s)", l->repeat, l->repeat == 1 ? "" : "s");
        emit(s, "\n");
    }
    if (!s->log_len)
        emit(s, "no messages yet\n");
    if (s->batch)
        return 0;
    char *text = cmd_output_take(s);
    return pager_open(s, " mmhex messages, oldest first: arrows/PgDn scroll, any other key returns",
                      text);
}

static int c_refresh(Session *s, const char *arg, unsigned *r)
{
    (void)arg;
    *r |= session_refresh(s, NULL);
    session_sample(s, true);
    return 0;
}

static int c_prompt(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    bool hex = s->view->pane == MMH_PANE_HEX;
    if (!strcmp(arg, "goto"))
        return prompt_open(s, "goto: ", "goto");
    if (!strcmp(arg, "saveas"))
        return prompt_open(s, "save as: ", "saveas");
    if (!strcmp(arg, "diffshift"))
        return prompt_open(s, "shift B by: ", "diffshift");
    if (!strcmp(arg, "command"))
        return prompt_open(s, ":", "");
    /* "--" ends find's options: the typed pattern may begin with '-'. */
    if (!strcmp(arg, "find"))
        return prompt_open(s, hex ? "/ hex: " : "/ text: ", "find --");
    if (!strcmp(arg, "rfind"))
        return prompt_open(s, hex ? "? hex: " : "? text: ", "find -b --");
    return fail(s, -EINVAL, "prompt: unknown prompt '%s'", arg);
}

static int c_map(Session *s, const char *arg, unsigned *r)
{
    (void)arg, (void)r;
    if (s->batch)
        return fail(s, -EINVAL, "map: the residency map needs a terminal (use stat)");
    if (!session_size(s))
        return fail(s, -EINVAL, "map: the file is empty");
    return map_screen_open(s);
}

static int c_dump(Session *s, const char *arg, unsigned *r)
{
    (void)r;
    uint64_t off = s->view->cursor, len = 256, size = session_size(s);
    char a[256] = "", b[256] = "";
    const char *err = NULL;
    if (sscanf(arg, "%255s %255s", a, b) < 0)
        a[0] = 0;
    if (a[0] && parse_offset(a, s->view->cursor, size, &off, &err) < 0)
        return fail(s, -EINVAL, "dump %s: %s", a, err ? err : "bad offset");
    if (b[0] && parse_count(b, &len, &err) < 0)
        return fail(s, -EINVAL, "dump: length %s: %s", b, err ? err : "bad length");
    if (off > size)
        return fail(s, -ERANGE, "dump: 0x%" PRIx64 " is past the end", off);
    if (len > size - off)
        len = size - off;
    if (len > DUMP_MAX)
        return fail(s, -ERANGE, "dump: at most 16 MiB at a time");
    int w = view_offset_width(size);
    uint8_t row[16];
    for (uint64_t p = off; p < off + len; p += 16) {
        size_t n = off + len - p < 16 ? (size_t)(off + len - p) : 16;
        int rc = doc_read(s->doc, p, row, n);
        if (rc < 0)
            return core_error(s, rc, "dump");
        char line[128];
        int k = snprintf(line, sizeof line, "%0*" PRIx64 ": ", w, p);
        for (size_t i = 0; i < 16; i++) {
            if (i < n)
                k += snprintf(line + k, sizeof line - (size_t)k, "%02x ", row[i]);
            else
                k += snprintf(line + k, sizeof line - (size_t)k, "   ");
            if (i == 7)
                line[k++] = ' ';
        }
        line[k++] = ' ';
        for (size_t i = 0; i < n; i++)
            line[k++] = row[i] >= 32 && row[i] < 127 ? (char)row[i] : '.';
        line[k] = 0;
        emit(s, "%s\n", line);
    }
    say(s, false, "dump: see the output");
    return 0;
}

static const CmdDef cmds[] = {
    {"quit", c_quit, .help = "quit (asks when copy-mode edits are unwritten)"},
    {"q", c_quit, .flags = CMD_ALIAS},
    {"quit!", c_quit_force, .help = "quit without asking"},
    {"q!", c_quit_force, .flags = CMD_ALIAS},
    {"help", c_help, .help = "the keys and commands"},
    {"messages", c_messages, .help = "the last 100 messages, oldest first"},
    {"refresh", c_refresh, .help = "check the file and redraw"},
    {"map", c_map, .help = "the residency map of the whole file"},
    {"dump", c_dump, .usage = "dump [OFFSET [LENGTH]]",
     .help = "a hex dump (256 bytes at the cursor)"},
    {"prompt", c_prompt, .usage = "prompt goto|saveas|command|find|rfind|diffshift",
     .help = "open a prompt", .flags = CMD_INTERNAL},
};

CMD_FAMILY(session, cmds);
