// The golem-rx command line.
console.log('golem-rx');
