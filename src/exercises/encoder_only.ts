// lesson 10's exercises: in progress
export {};
