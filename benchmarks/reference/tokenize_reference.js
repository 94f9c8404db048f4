// Reference tokenization with Hugging Face's own tokenizers (Rust, through its Node binding).
// usage: node tokenize_reference.js TOKENIZER_JSON INPUT_JSON OUTPUT_JSON
// INPUT_JSON: ["text", ...]; OUTPUT_JSON: [[id, ...], ...] with special tokens, no truncation.
const fs = require('fs')
const { Tokenizer } = require('tokenizers')

async function main() {
  const [tokenizerPath, inputPath, outputPath] = process.argv.slice(2)
  const tokenizer = Tokenizer.fromFile(tokenizerPath)
  const texts = JSON.parse(fs.readFileSync(inputPath, 'utf8'))
  const ids = []
  for (const text of texts) {
    const encoding = await tokenizer.encode(text)
    ids.push(Array.from(encoding.getIds()))
  }
  fs.writeFileSync(outputPath, JSON.stringify(ids))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
