// Generates hf_bert_uncased_token_ids.json: the token ids Hugging Face tokenizers (the Rust library that Python
// sentence-transformers uses, here through its npm binding "tokenizers") gives every parity text, for the BERT
// uncased tokenizer.json of all-MiniLM-L6-v2 / snowflake-arctic-embed-xs (BertNormalizer lowercase, strip_accents
// unset, clean_text, handle_chinese_chars; BertPreTokenizer; WordPiece "##", max 100 chars; [CLS] A [SEP]).
// Ids are untruncated; tests cut them to max_seq_length.
// Regenerate after changing ParityTexts (texts.json = ParityTexts.All followed by the arctic query prompt + each of
// the first 40 texts, as a JSON array of strings):
//   npm install tokenizers@0.23.2 && node make_hf_token_ids.js vocab.txt texts.json hf_bert_uncased_token_ids.json
const fs = require('fs')
const { Tokenizer } = require('tokenizers')
const [vocabPath, textsPath, outPath] = process.argv.slice(2)
const vocab = fs.readFileSync(vocabPath, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
const ids = Object.fromEntries(vocab.map((t, i) => [t, i]))
const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => ({
  id: ids[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
}))
const spec = {
  version: '1.0', truncation: null, padding: null, added_tokens: special,
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
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
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
}
fs.writeFileSync('tokenizer.json', JSON.stringify(spec))
const tokenizer = Tokenizer.fromFile('tokenizer.json')
const texts = JSON.parse(fs.readFileSync(textsPath, 'utf8'))
;(async () => {
  const out = []
  for (const text of texts) out.push((await tokenizer.encode(text)).getIds())
  const pkg = require('tokenizers/package.json')
  fs.writeFileSync(outPath, JSON.stringify({
    generator: `Hugging Face tokenizers ${pkg.version} (npm package "tokenizers", Rust core), BERT uncased tokenizer.json`,
    texts, ids: out,
  }))
  console.log(`${out.length} texts`)
})()
