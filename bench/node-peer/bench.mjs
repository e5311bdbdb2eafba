// node-llama-cpp@3.22.1 peer for the AgentKit engine benchmark (issue #2, section 9).
//
//   node bench.mjs MODE MODEL THREADS N_CTX N_BATCH PROMPT_FILE PACKAGE_DIR
//
// MODE is pp512 or tg128, measured as the C baseline does (same prompt tokens, same warm-up, greedy).
// PACKAGE_DIR is the folder whose node_modules holds node-llama-cpp. Prints one line of JSON like the others.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [mode, modelPath, threadsArg, ctxArg, batchArg, promptFile, packageDir] = process.argv.slice(2);
if (!packageDir || !["pp512", "tg128"].includes(mode)) {
    console.error("usage: node bench.mjs pp512|tg128 MODEL THREADS N_CTX N_BATCH PROMPT_FILE PACKAGE_DIR");
    process.exit(2);
}

const GEN_TOKENS = 128, TG_PROMPT = 16, WARMUP_STEPS = 64, PP_REPEATS = 3; // PP_REPEATS: as Workload.PromptRepeats
const threads = Number(threadsArg);
const prompt = readFileSync(promptFile, "utf8").trim().split(/\s+/).map(Number);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(join(packageDir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);

const llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, maxThreads: threads, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize: Number(ctxArg), batchSize: Number(batchArg), threads, sequences: 1, flashAttention: "auto" });
const sequence = context.getSequence();

async function generate(tokens, count, onToken) {
    let produced = 0;
    for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
        onToken?.(token);
        if (++produced === count) {
            break;
        }
    }
}

// Warm-up like the others: the prompt in one batch, then a few single-token steps.
await generate(prompt, WARMUP_STEPS + 1);
await sequence.clearHistory();

let checksum = 14695981039346656037n;
const mix = (token) => { checksum = ((checksum ^ BigInt(token >>> 0)) * 1099511628211n) & 0xffffffffffffffffn; };
let seconds, tokens;
if (mode === "pp512") {
    seconds = 0;
    for (let r = 0; r < PP_REPEATS; r++) {
        await sequence.clearHistory();
        const start = process.hrtime.bigint();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt);
        seconds += Number(process.hrtime.bigint() - start) / 1e9;
    }
    tokens = PP_REPEATS * prompt.length;
} else {
    const short = prompt.slice(0, Math.min(TG_PROMPT, prompt.length));
    await sequence.evaluateWithoutGeneratingNewTokens(short.slice(0, -1));
    const start = process.hrtime.bigint();
    await generate(short.slice(-1), GEN_TOKENS, mix);
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
    tokens = GEN_TOKENS;
}

console.log(JSON.stringify({ side: "node", mode, tokens, seconds, rss_kb: process.resourceUsage().maxRSS, checksum: checksum.toString(16).padStart(16, "0") }));
await context.dispose();
await model.dispose();
await llama.dispose();
