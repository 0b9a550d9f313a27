// Hugging Face's own ids for Simile's tokenizer checks: node reference.js <tokenizer.json> <words.txt> <out.tsv>
// Uses the npm package `tokenizers` (Hugging Face's Rust library through its Node binding). For each word of
// words.txt, one line: the ids of the word alone with the post-processor's special tokens, the ids of the word alone
// without them, and the ids of the word inside a sentence (sentence(word), without special tokens); ids
// space-separated, fields tab-separated. The first line holds the ids of the BOS and EOS tokens named by the folder's
// tokenizer_config.json (or -1).
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

function sentence(w) { return `In a sentence, ${w} appears (${w}) twice.`; }

async function main() {
  const [file, wordsFile, out] = process.argv.slice(2);
  const tok = Tokenizer.fromFile(file);
  const words = fs.readFileSync(wordsFile, 'utf8').split('\n').filter(w => w.length > 0);
  const configPath = path.join(path.dirname(file), 'tokenizer_config.json');
  const config = fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, 'utf8')) : {};
  const name = t => t == null ? null : typeof t === 'string' ? t : t.content;
  const idOf = t => { const n = name(t); const id = n == null ? null : tok.tokenToId(n); return id == null ? -1 : id; };
  const lines = [`${idOf(config.bos_token)}\t${idOf(config.eos_token)}`];
  const withSpecials = await tok.encodeBatch(words, { addSpecialTokens: true });
  const alone = await tok.encodeBatch(words, { addSpecialTokens: false });
  const inside = await tok.encodeBatch(words.map(sentence), { addSpecialTokens: false });
  for (let i = 0; i < words.length; i++)
    lines.push([withSpecials[i], alone[i], inside[i]].map(e => e.getIds().join(' ')).join('\t'));
  fs.writeFileSync(out, lines.join('\n') + '\n');
}
main().catch(e => { console.error(e); process.exit(1); });
