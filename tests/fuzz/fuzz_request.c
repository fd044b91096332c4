/* libFuzzer target: the control socket's request decoder (and, on the same
 * bytes, the client's reply decoder and the UTF-8 sanitizer), which read
 * whatever a local client sends. Built and run by tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct np_request req;
    char msg[512];
    enum np_error e = np_request_decode((const char *)data, size, &req, msg, sizeof(msg));
    if (e == NP_ERR_NONE) {
        /* What the daemon does next with a valid request must hold. */
        if ((unsigned)req.verb >= NP_VERB_COUNT)
            abort();
        if ((req.present & NP_ARG_PID) && (req.pid < 1 || req.pid > NP_MAX_PID_ARG))
            abort();
        if ((req.present & NP_ARG_NAME) && (req.name[0] == '\0' || strlen(req.name) >= NP_MAX_PATTERN))
            abort();
        if ((req.present & NP_ARG_NODES) && np_nodeset_count(&req.nodes) == 0)
            abort();
    } else {
        if ((unsigned)e >= NP_ERR_COUNT || memchr(msg, '\0', sizeof(msg)) == NULL)
            abort();
        /* The error reply built from the message must be one valid line. */
        size_t len = 0;
        char *line = np_reply_error(e, msg, &len);
        if (!line || len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
            abort();
        free(line);
    }
    struct np_reply reply;
    if (np_reply_decode((const char *)data, size, &reply, msg, sizeof(msg)) == 0)
        np_reply_clear(&reply);
    char *copy = malloc(size + 1), out[256];
    if (copy) {
        memcpy(copy, data, size);
        copy[size] = '\0';
        np_utf8_sanitize(copy, out, sizeof(out));
        free(copy);
    }
    return 0;
}
