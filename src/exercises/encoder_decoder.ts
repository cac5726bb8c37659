// lesson 09's exercises: in progress
export {};
