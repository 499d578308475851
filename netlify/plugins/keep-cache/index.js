// Netlify build plugin: keep talknotes' cache folder (processed images, rendered Markdown)
// between builds, so an unchanged photo is never resized twice. Uses Netlify's documented
// cache utility (utils.cache); "Clear cache and deploy site" in the Netlify UI empties it.

module.exports = {
  async onPreBuild({ inputs, utils }) {
    const restored = await utils.cache.restore(inputs.paths);
    console.log(restored ? `Restored ${inputs.paths.join(", ")} from the build cache`
                         : `No cached ${inputs.paths.join(", ")} yet`);
  },

  async onPostBuild({ inputs, utils }) {
    const saved = await utils.cache.save(inputs.paths);
    console.log(saved ? `Saved ${inputs.paths.join(", ")} to the build cache`
                      : `Nothing to cache in ${inputs.paths.join(", ")}`);
  },
};
