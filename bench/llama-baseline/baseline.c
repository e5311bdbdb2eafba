// C baseline for the AgentKit engine benchmark (issue #2, section 9).
//
// Runs one workload on the same libllama as AgentKit, with the same context parameters, and prints one
// line of JSON: {"side":"c","mode":...,"tokens":...,"seconds":...,"rss_kb":...,"checksum":...}.
//
//   baseline MODE MODEL NATIVE_DIR THREADS N_CTX N_BATCH N_SEQ PROMPT_FILE
//
// MODE: pp512  decode the prompt in one batch, 3 times (memory cleared before each); tokens/s over the three
//       tg128  decode a short prompt (untimed), then generate 128 tokens greedily one at a time
//       multi  8 completions x 128 tokens from one prompt: prompt decoded once, forked with
//              llama_memory_seq_cp, one batch of 8 per step
//       seq    8 sequential generations of 128 tokens from the same prompt, memory cleared between them
// PROMPT_FILE holds the prompt token ids, whitespace separated (the benchmark writes it, so both sides
// decode exactly the same tokens). Every run first does the same warm-up as the AgentKit worker.
// Sampling is greedy with end-of-generation tokens banned, so every run generates exactly its token count
// and the checksum of the generated ids must equal AgentKit's.

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ggml-backend.h"
#include "llama.h"

#define GEN_TOKENS 128
#define PP_REPEATS 3 /* timed prompt decodes in pp512, memory cleared before each (Workload.PromptRepeats) */
#define MULTI_SEQS 8
#define TG_PROMPT 16
#define WARMUP_STEPS 64 /* Workload.WarmupSteps */

static void die(const char *what) {
    fprintf(stderr, "baseline: %s\n", what);
    exit(1);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Peak resident set in KiB, read the same way as the AgentKit worker (VmHWM in /proc/self/status).
static long peak_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    long kb = -1;
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "VmHWM:", 6) == 0) {
                kb = strtol(line + 6, NULL, 10);
                break;
            }
        }
        fclose(f);
    }
    if (kb < 0) {
        struct rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        kb = usage.ru_maxrss;
    }
    return kb;
}

static void quiet_log(enum ggml_log_level level, const char *text, void *data) {
    (void)data;
    if (level >= GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}

static bool silent_progress(float progress, void *data) {
    (void)progress;
    (void)data;
    return true;
}

static llama_token *read_prompt(const char *path, int *count) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "baseline: cannot open prompt file %s: %s\n", path, strerror(errno));
        exit(1);
    }
    int capacity = 1024, n = 0;
    llama_token *tokens = malloc(sizeof(llama_token) * (size_t)capacity);
    long value;
    while (fscanf(f, "%ld", &value) == 1) {
        if (n == capacity) {
            capacity *= 2;
            tokens = realloc(tokens, sizeof(llama_token) * (size_t)capacity);
        }
        tokens[n++] = (llama_token)value;
    }
    fclose(f);
    if (n == 0) {
        die("the prompt file holds no tokens");
    }
    *count = n;
    return tokens;
}

static struct llama_context *g_ctx;
static struct llama_batch g_batch;
static llama_memory_t g_mem;

static void batch_add(llama_token token, int pos, int seq, int logits) {
    int i = g_batch.n_tokens;
    g_batch.token[i] = token;
    g_batch.pos[i] = pos;
    g_batch.n_seq_id[i] = 1;
    g_batch.seq_id[i][0] = seq;
    g_batch.logits[i] = (int8_t)logits;
    g_batch.n_tokens = i + 1;
}

static void decode(void) {
    int rc = llama_decode(g_ctx, g_batch);
    if (rc != 0) {
        fprintf(stderr, "baseline: llama_decode returned %d\n", rc);
        exit(1);
    }
}

// Decodes tokens[from..to) into one sequence in batches of n_batch; logits for the last token only.
static void decode_range(const llama_token *tokens, int from, int to, int seq, int n_batch) {
    for (int pos = from; pos < to;) {
        int count = to - pos < n_batch ? to - pos : n_batch;
        g_batch.n_tokens = 0;
        for (int k = 0; k < count; k++) {
            batch_add(tokens[pos + k], pos + k, seq, pos + k == to - 1);
        }
        decode();
        pos += count;
    }
}

// Greedy, with every end-of-generation token banned (same chain as AgentKit: logit bias, then greedy).
static struct llama_sampler *make_sampler(const struct llama_vocab *vocab) {
    int n_vocab = llama_vocab_n_tokens(vocab);
    int n_bias = 0;
    llama_logit_bias *bias = malloc(sizeof(llama_logit_bias) * (size_t)n_vocab);
    for (llama_token t = 0; t < n_vocab; t++) {
        if (llama_vocab_is_eog(vocab, t)) {
            bias[n_bias].token = t;
            bias[n_bias].bias = -INFINITY;
            n_bias++;
        }
    }
    struct llama_sampler_chain_params params = llama_sampler_chain_default_params();
    params.no_perf = true;
    struct llama_sampler *chain = llama_sampler_chain_init(params);
    if (n_bias > 0) {
        llama_sampler_chain_add(chain, llama_sampler_init_logit_bias(n_vocab, n_bias, bias));
    }
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    free(bias);
    return chain;
}

static uint64_t mix(uint64_t checksum, llama_token token) {
    return (checksum ^ (uint64_t)(uint32_t)token) * 1099511628211ULL;
}

// One generation of GEN_TOKENS on sequence 0, whose logits for position pos - 1 are ready.
static uint64_t generate(struct llama_sampler *sampler, int pos, uint64_t checksum) {
    for (int i = 0; i < GEN_TOKENS; i++) {
        llama_token token = llama_sampler_sample(sampler, g_ctx, -1);
        checksum = mix(checksum, token);
        if (i + 1 == GEN_TOKENS) {
            break;
        }
        g_batch.n_tokens = 0;
        batch_add(token, pos++, 0, 1);
        decode();
    }
    return checksum;
}

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: %s pp512|tg128|multi|seq MODEL NATIVE_DIR THREADS N_CTX N_BATCH N_SEQ PROMPT_FILE\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    const char *model_path = argv[2];
    const char *native_dir = argv[3];
    int threads = atoi(argv[4]);
    int n_ctx = atoi(argv[5]);
    int n_batch = atoi(argv[6]);
    int n_seq = atoi(argv[7]);
    int n_prompt = 0;
    llama_token *prompt = read_prompt(argv[8], &n_prompt);
    if (n_prompt > n_batch) {
        die("the prompt is longer than the batch");
    }

    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(native_dir);
    llama_backend_init();

    struct llama_model_params mparams = llama_model_default_params();
    mparams.n_gpu_layers = 0;
    mparams.progress_callback = silent_progress;
    struct llama_model *model = llama_model_load_from_file(model_path, mparams);
    if (model == NULL) {
        die("llama_model_load_from_file failed");
    }
    const struct llama_vocab *vocab = llama_model_get_vocab(model);

    // The same parameters AgentKit's LlamaContext sets (LlamaContextOptions defaults except the sizes).
    struct llama_context_params cparams = llama_context_default_params();
    cparams.n_ctx = (uint32_t)n_ctx;
    cparams.n_batch = (uint32_t)n_batch;
    cparams.n_ubatch = (uint32_t)n_batch;
    cparams.n_seq_max = (uint32_t)n_seq;
    cparams.n_threads = threads;
    cparams.n_threads_batch = threads;
    cparams.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    cparams.type_k = GGML_TYPE_F16;
    cparams.type_v = GGML_TYPE_F16;
    cparams.kv_unified = true;
    cparams.offload_kqv = true;
    cparams.no_perf = false;
    g_ctx = llama_init_from_model(model, cparams);
    if (g_ctx == NULL) {
        die("llama_init_from_model failed");
    }
    g_mem = llama_get_memory(g_ctx);
    int capacity = n_batch > n_seq ? n_batch : n_seq;
    g_batch = llama_batch_init(capacity, 0, n_seq);
    struct llama_sampler *sampler = make_sampler(vocab);

    // Warm-up, identical to the AgentKit worker: the prompt in one batch, then a few single-token steps.
    decode_range(prompt, 0, n_prompt, 0, n_batch);
    for (int i = 0; i < WARMUP_STEPS; i++) {
        llama_token token = llama_sampler_sample(sampler, g_ctx, -1);
        g_batch.n_tokens = 0;
        batch_add(token, n_prompt + i, 0, 1);
        decode();
    }
    llama_memory_clear(g_mem, true);
    llama_sampler_reset(sampler);

    int tokens = 0;
    uint64_t checksum = 14695981039346656037ULL;
    double seconds;
    if (strcmp(mode, "pp512") == 0) {
        seconds = 0;
        for (int r = 0; r < PP_REPEATS; r++) {
            llama_memory_clear(g_mem, true);
            double start = now_s();
            decode_range(prompt, 0, n_prompt, 0, n_batch);
            seconds += now_s() - start;
        }
        tokens = PP_REPEATS * n_prompt;
    } else if (strcmp(mode, "tg128") == 0) {
        int short_prompt = n_prompt < TG_PROMPT ? n_prompt : TG_PROMPT;
        // Like AgentKit's GenerateAsync on a cached prompt: the last prompt token is decoded again for fresh logits.
        decode_range(prompt, 0, short_prompt - 1, 0, n_batch);
        double start = now_s();
        decode_range(prompt, short_prompt - 1, short_prompt, 0, n_batch);
        checksum = generate(sampler, short_prompt, checksum);
        seconds = now_s() - start;
        tokens = GEN_TOKENS;
    } else if (strcmp(mode, "seq") == 0) {
        double start = now_s();
        for (int s = 0; s < MULTI_SEQS; s++) {
            llama_memory_clear(g_mem, true);
            llama_sampler_reset(sampler);
            decode_range(prompt, 0, n_prompt, 0, n_batch);
            checksum = generate(sampler, n_prompt, checksum);
        }
        seconds = now_s() - start;
        tokens = MULTI_SEQS * GEN_TOKENS;
    } else if (strcmp(mode, "multi") == 0) {
        if (n_seq < MULTI_SEQS) {
            die("multi needs N_SEQ >= 8");
        }
        struct llama_sampler *samplers[MULTI_SEQS];
        samplers[0] = sampler;
        for (int s = 1; s < MULTI_SEQS; s++) {
            samplers[s] = make_sampler(vocab);
        }
        double start = now_s();
        // The shared prefix once on sequence 0, forked; then every sequence's last prompt token in one batch.
        decode_range(prompt, 0, n_prompt - 1, 0, n_batch);
        for (int s = 1; s < MULTI_SEQS; s++) {
            llama_memory_seq_cp(g_mem, 0, s, -1, -1);
        }
        g_batch.n_tokens = 0;
        for (int s = 0; s < MULTI_SEQS; s++) {
            batch_add(prompt[n_prompt - 1], n_prompt - 1, s, 1);
        }
        decode();
        int pos = n_prompt;
        llama_token next[MULTI_SEQS];
        for (int i = 0; i < GEN_TOKENS; i++) {
            for (int s = 0; s < MULTI_SEQS; s++) {
                next[s] = llama_sampler_sample(samplers[s], g_ctx, s);
            }
            for (int s = 0; s < MULTI_SEQS; s++) {
                checksum = mix(checksum, next[s]);
            }
            if (i + 1 == GEN_TOKENS) {
                break;
            }
            g_batch.n_tokens = 0;
            for (int s = 0; s < MULTI_SEQS; s++) {
                batch_add(next[s], pos, s, 1);
            }
            decode();
            pos++;
        }
        seconds = now_s() - start;
        tokens = MULTI_SEQS * GEN_TOKENS;
        for (int s = 1; s < MULTI_SEQS; s++) {
            llama_sampler_free(samplers[s]);
        }
    } else {
        fprintf(stderr, "baseline: unknown mode '%s' (pp512, tg128, multi, seq)\n", mode);
        return 2;
    }

    printf("{\"side\":\"c\",\"mode\":\"%s\",\"tokens\":%d,\"seconds\":%.6f,\"rss_kb\":%ld,\"checksum\":\"%016llx\"}\n",
           mode, tokens, seconds, peak_rss_kb(), (unsigned long long)checksum);

    llama_sampler_free(sampler);
    llama_batch_free(g_batch);
    llama_free(g_ctx);
    llama_model_free(model);
    llama_backend_free();
    free(prompt);
    return 0;
}
