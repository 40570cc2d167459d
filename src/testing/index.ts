// golem-rx/testing: the kit to marble-test your own strategies.
export {};
