// lesson 06's exercises: in progress
export {};
