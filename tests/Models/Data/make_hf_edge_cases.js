// Generates hf_bert_edge_cases.json: token ids from Hugging Face tokenizers (Rust core, npm package "tokenizers")
// for texts that probe the corners of BERT tokenization (special tokens inside text, control / format / private-use
// characters, Unicode whitespace and punctuation, accents, Hangul, the CJK ranges, over-long words, astral-plane
// vocabulary entries) under several normaliser settings, plus sentence pairs cut by longest_first truncation.
// Each config is a tokenizer.json built the way make_hf_token_ids.js builds the uncased one (BertNormalizer with
// clean_text on, BertPreTokenizer, WordPiece "##", [CLS] A [SEP] B [SEP]); extra_vocab tokens are appended to the
// vocabulary. The C# tests rebuild the same settings as tokenizer_config.json / tokenizer.json folders.
//   npm install tokenizers@0.23.2 && node make_hf_edge_cases.js vocab.txt hf_bert_edge_cases.json
const fs = require('fs')
const { Tokenizer } = require('tokenizers')
const [vocabPath, outPath] = process.argv.slice(2)
const baseVocab = fs.readFileSync(vocabPath, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')

const configs = [
  { name: 'uncased', lowercase: true, strip_accents: null, handle_chinese_chars: true },
  {
    name: 'uncased_keep_accents', lowercase: true, strip_accents: false, handle_chinese_chars: true,
    extra_vocab: ['\u0307', '##\u0307'],
  },
  { name: 'cased', lowercase: false, strip_accents: null, handle_chinese_chars: true },
  { name: 'cased_strip_accents', lowercase: false, strip_accents: true, handle_chinese_chars: true },
  { name: 'uncased_no_chinese', lowercase: true, strip_accents: null, handle_chinese_chars: false },
  {
    name: 'astral_vocab_max_10', lowercase: true, strip_accents: null, handle_chinese_chars: true,
    max_input_chars_per_word: 10, extra_vocab: ['\u{1F600}', '##\u{1F600}', '\u{1D400}', '##\u{1D400}'],
  },
  {
    name: 'astral_vocab', lowercase: true, strip_accents: null, handle_chinese_chars: true,
    extra_vocab: ['\u{1F600}', '##\u{1F600}', '\u{1D400}', '##\u{1D400}'],
  },
]

const texts = [
  'Café CRÈME brûlée', 'naïve Ångström Øre œuvre ß ẞ', 'İstanbul ıi İİ', 'ǅemal ǈ Ⅻ ﬁ ﬂ ＡＢＣ１２３',
  'a\u2028b\u2029c', 'a\u00a0b\u3000c\u2003d\u202fe', 'tab\there\nnew\r\nline\u000bvt\u000cff\u0085nel',
  'a\u001cb\u001fc\u007fd', 'zero\u200bwidth soft\u00adhyphen bom\ufeffx rlm\u200fy \u2066iso\u2069',
  'private \ue000\ue001\uf8ff \u{F0001}\u{10FFFD}x', 'unassigned \u0378 \u{E0080}', 'replacement \ufffd char',
  'nul\u0000byte', 'x\u{2B820}y x\u{2B91F}y x\u{2B920}y x\u{2A6DF}y x\u{20000}y 丽\u{2F800}',
  '我喜欢猫。東京タワー', '한국어 문장 토큰화', 'ﾊﾝｶｸ ｶﾀｶﾅ', 'Ελληνικά ΣΑΣ σας', 'Привет, МИР!',
  'a_b $5 + 3 = 8 <tag> x^2 `code` a|b ~tilde', '¿Qué? ¡Sí! «quote» “curly” ‘single’ — – … · ‰ § ¶',
  '5°C x² €100 ¥ £ © ® ™ ± × ÷ ∑ √ ∞', 'emoji 😀🚀 👍🏽 👨‍👩‍👧 🇫🇷 🥰🫠', 'math 𝐀𝐁𝐂 𝒳 𝔸', '\u{1D167}x\u{1D167}',
  'combining e\u0301 a\u0308 n\u0303 \u0301lead', 'hello [SEP] world', 'hello[SEP]world', '[CLS][SEP][PAD]x',
  'lower [sep] [cls] [Sep]', '[UNK] and [MASK] literal', '[SEP', 'SEP]', '[[SEP]]', 'x[MASK]y[UNK]z',
  'a'.repeat(100), 'a'.repeat(101), 'é'.repeat(101), 'e\u0301'.repeat(60), '😀'.repeat(10), '😀'.repeat(11),
  '😀'.repeat(60), '😀'.repeat(100), '😀'.repeat(101), '𝐀'.repeat(55) + ' ' + 'x'.repeat(99) + 'é',
  'word' + '!'.repeat(120), '', ' ', '\t\n', '\u200b', '.', '##', '##ing', 'un##able', 'unaffable ##s',
]

const pairs = []
const words = (n, w) => Array(n).fill(w).join(' ')
for (const [a, b, max] of [
  [words(12, 'unaffable'), words(10, 'hello'), 16], [words(10, 'hello'), words(12, 'unaffable'), 16],
  [words(6, 'unaffable'), words(9, 'hello'), 10], [words(9, 'hello'), words(6, 'unaffable'), 10],
  [words(20, 'tokenization'), words(20, 'tokenization'), 11], [words(3, 'hi'), words(30, 'unaffable'), 12],
  [words(30, 'unaffable'), words(3, 'hi'), 12], [words(2, 'hi'), words(2, 'there'), 64],
  [words(40, 'antidisestablishmentarianism'), words(5, 'yes'), 20], ['', words(10, 'unaffable'), 8],
  [words(7, 'hello'), words(7, 'world'), 9], [words(8, 'hello'), words(7, 'world'), 9],
  [words(7, 'hello'), words(7, 'world'), 10], [words(20, 'tokenization'), words(20, 'tokenization'), 12],
  [words(10, 'unaffable'), words(40, 'hello'), 8], [words(40, 'hello'), words(10, 'unaffable'), 8],
]) pairs.push({ first: a, second: b, max_length: max })

;(async () => {
  const out = []
  for (const config of configs) {
    const vocab = [...baseVocab, ...(config.extra_vocab || [])]
    const ids = Object.fromEntries(vocab.map((t, i) => [t, i]))
    const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => ({
      id: ids[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    }))
    const spec = {
      version: '1.0', truncation: null, padding: null, added_tokens: special,
      normalizer: {
        type: 'BertNormalizer', clean_text: true, handle_chinese_chars: config.handle_chinese_chars,
        strip_accents: config.strip_accents, lowercase: config.lowercase,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
                 { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
               { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } },
               { SpecialToken: { id: '[SEP]', type_id: 1 } }],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##',
        max_input_chars_per_word: config.max_input_chars_per_word || 100, vocab: ids,
      },
    }
    const file = `tokenizer.${config.name}.json`
    fs.writeFileSync(file, JSON.stringify(spec))
    const tokenizer = Tokenizer.fromFile(file)
    const singles = []
    for (const text of texts) singles.push({ text, ids: (await tokenizer.encode(text)).getIds() })
    const pairResults = []
    if (config.name === 'uncased') {
      for (const p of pairs) {
        tokenizer.setTruncation(p.max_length, { strategy: 'LongestFirst' })
        const e = await tokenizer.encode(p.first, p.second)
        pairResults.push({ ...p, ids: e.getIds(), type_ids: e.getTypeIds() })
      }
    }
    out.push({ config, singles, pairs: pairResults })
  }
  const pkg = require('tokenizers/package.json')
  fs.writeFileSync(outPath, JSON.stringify({
    generator: `Hugging Face tokenizers ${pkg.version} (npm package "tokenizers", Rust core)`, configs: out,
  }))
  console.log(`${out.length} configs, ${texts.length} texts, ${pairs.length} pairs`)
})()
