// golem-rx/devnet: the yagna twin.
export {};
